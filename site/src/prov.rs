//! How a cell's value was obtained (the extract stage's `provenance`), with
//! the one-letter code the agency data files use and the mark a page shows.

/// Provenance of one template cell.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Prov {
    /// Printed in the document.
    Printed,
    /// Filled from the template's identities.
    Inferred,
    /// Cut out of digits printed fused together.
    Split,
    /// Printed empty.
    Blank,
    /// A dash or slash.
    Dash,
    /// `无` / `不适用`.
    Na,
    /// Read by OCR from a scan.
    Ocr,
    /// Filled from the identities in a scan.
    OcrInferred,
    /// Lost by the layout: no value.
    Missing,
    /// Stated in the narrative text.
    Narrative,
    /// A provenance this version does not know.
    Other,
}

impl Prov {
    /// Every provenance, in legend order.
    pub const ALL: [Prov; 11] = [
        Prov::Printed,
        Prov::Inferred,
        Prov::Split,
        Prov::Ocr,
        Prov::OcrInferred,
        Prov::Blank,
        Prov::Dash,
        Prov::Na,
        Prov::Missing,
        Prov::Narrative,
        Prov::Other,
    ];

    /// From the `provenance` column.
    pub fn parse(s: &str) -> Prov {
        match s {
            "printed" => Prov::Printed,
            "inferred" => Prov::Inferred,
            "split" => Prov::Split,
            "blank" => Prov::Blank,
            "dash" => Prov::Dash,
            "na" => Prov::Na,
            "ocr" => Prov::Ocr,
            "ocr_inferred" => Prov::OcrInferred,
            "missing" => Prov::Missing,
            "narrative" => Prov::Narrative,
            _ => Prov::Other,
        }
    }

    /// The key as stored in the datasets.
    pub fn key(self) -> &'static str {
        match self {
            Prov::Printed => "printed",
            Prov::Inferred => "inferred",
            Prov::Split => "split",
            Prov::Blank => "blank",
            Prov::Dash => "dash",
            Prov::Na => "na",
            Prov::Ocr => "ocr",
            Prov::OcrInferred => "ocr_inferred",
            Prov::Missing => "missing",
            Prov::Narrative => "narrative",
            Prov::Other => "other",
        }
    }

    /// One-letter code in the agency data files.
    pub fn code(self) -> char {
        match self {
            Prov::Printed => 'p',
            Prov::Inferred => 'i',
            Prov::Split => 's',
            Prov::Blank => 'b',
            Prov::Dash => 'd',
            Prov::Na => 'n',
            Prov::Ocr => 'o',
            Prov::OcrInferred => 'q',
            Prov::Missing => 'm',
            Prov::Narrative => 'x',
            Prov::Other => '?',
        }
    }

    /// The mark a page puts beside the cell (empty for printed values).
    pub fn mark(self) -> &'static str {
        match self {
            Prov::Printed => "",
            Prov::Inferred => "*",
            Prov::Split => "§",
            Prov::Blank => "◌",
            Prov::Dash => "–",
            Prov::Na => "∅",
            Prov::Ocr => "°",
            Prov::OcrInferred => "*°",
            Prov::Missing => "?",
            Prov::Narrative => "†",
            Prov::Other => "‡",
        }
    }

    /// Whether the value was not simply printed and read (the page marks it).
    pub fn marked(self) -> bool {
        !matches!(self, Prov::Printed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_and_codes_round_trip_and_are_distinct() {
        let mut codes = std::collections::BTreeSet::new();
        for p in Prov::ALL {
            assert!(codes.insert(p.code()), "{p:?}");
            if p != Prov::Other {
                assert_eq!(Prov::parse(p.key()), p);
            }
        }
        assert_eq!(Prov::parse("something new"), Prov::Other);
        assert!(!Prov::Printed.marked() && Prov::Inferred.marked() && Prov::Blank.marked());
    }
}
