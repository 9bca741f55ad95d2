//! robots.txt per RFC 9309: groups by user-agent, longest-match allow/disallow with
//! `*` and `$`, plus the non-standard `Crawl-delay`. Status handling is in
//! [`RobotsRules::from_status`].

use std::time::Duration;

/// Rules that apply to this crawler on one host.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RobotsRules {
    /// (allow, pattern) pairs of the selected group.
    rules: Vec<(bool, String)>,
    /// Crawl-delay of the selected group.
    pub crawl_delay: Option<Duration>,
    /// True when everything is disallowed because robots.txt was unreachable.
    pub unreachable: bool,
}

impl RobotsRules {
    /// Everything allowed (no robots.txt, or a 4xx).
    pub fn allow_all() -> Self {
        RobotsRules::default()
    }

    /// Everything disallowed (robots.txt unreachable: 5xx, 429, network error, challenge).
    pub fn disallow_all() -> Self {
        RobotsRules {
            rules: vec![(false, "/".into())],
            crawl_delay: None,
            unreachable: true,
        }
    }

    /// Applies RFC 9309 §2.3.1 status handling: 2xx → parse, 4xx (other than 429) →
    /// allow all, anything else (5xx, 429) → disallow all.
    pub fn from_status(status: u16, body: &str, agent: &str) -> Self {
        match status {
            200..=299 => parse(body, agent),
            429 => Self::disallow_all(),
            400..=499 => Self::allow_all(),
            _ => Self::disallow_all(),
        }
    }

    /// True if `path_and_query` (starting with `/`) may be fetched.
    pub fn allowed(&self, path_and_query: &str) -> bool {
        let mut best: Option<(usize, bool)> = None;
        for (allow, pat) in &self.rules {
            if pat.is_empty() {
                continue;
            }
            if pattern_matches(pat.as_bytes(), path_and_query.as_bytes()) {
                let len = pat.len();
                best = match best {
                    Some((l, a)) if l > len || (l == len && a) => Some((l, a)),
                    _ => Some((len, *allow)),
                };
            }
        }
        best.map(|(_, a)| a).unwrap_or(true)
    }
}

/// The part of a robots.txt that is read (RFC 9309 §2.5: crawlers must parse at
/// least 500 KiB; what follows may be ignored).
pub const MAX_ROBOTS_BYTES: usize = 500 * 1024;

/// The first [`MAX_ROBOTS_BYTES`] of `body`, without a line cut at the limit
/// (half a rule could widen an `Allow`).
fn within_limit(body: &str) -> &str {
    if body.len() <= MAX_ROBOTS_BYTES {
        return body;
    }
    let mut end = MAX_ROBOTS_BYTES;
    while !body.is_char_boundary(end) {
        end -= 1;
    }
    let head = &body[..end];
    head.rfind('\n').map_or("", |i| &head[..=i])
}

/// Parses robots.txt and selects the group for `agent` (product token, matched
/// case-insensitively; `*` group as fallback; groups with the same agent merge).
/// Only the first [`MAX_ROBOTS_BYTES`] are read.
pub fn parse(body: &str, agent: &str) -> RobotsRules {
    let body = within_limit(body);
    let token = agent
        .split('/')
        .next()
        .unwrap_or(agent)
        .trim()
        .to_ascii_lowercase();
    struct Group {
        agents: Vec<String>,
        rules: Vec<(bool, String)>,
        delay: Option<Duration>,
    }
    let mut groups: Vec<Group> = Vec::new();
    let mut in_agents = false;
    for line in body.lines() {
        let line = line.split('#').next().unwrap_or("").trim();
        let Some((k, v)) = line.split_once(':') else {
            continue;
        };
        let (k, v) = (k.trim().to_ascii_lowercase(), v.trim());
        match k.as_str() {
            "user-agent" => {
                if !in_agents {
                    groups.push(Group {
                        agents: Vec::new(),
                        rules: Vec::new(),
                        delay: None,
                    });
                }
                in_agents = true;
                if let Some(g) = groups.last_mut() {
                    g.agents.push(v.to_ascii_lowercase());
                }
            }
            "allow" | "disallow" => {
                in_agents = false;
                if let Some(g) = groups.last_mut() {
                    g.rules.push((k == "allow", normalize_pattern(v)));
                }
            }
            "crawl-delay" => {
                in_agents = false;
                if let (Some(g), Ok(s)) = (groups.last_mut(), v.parse::<f64>())
                    && s.is_finite()
                    && s >= 0.0
                {
                    g.delay = Some(Duration::from_secs_f64(s.min(86_400.0)));
                }
            }
            _ => {}
        }
    }
    let specific: Vec<&Group> = groups
        .iter()
        .filter(|g| g.agents.iter().any(|a| a == &token))
        .collect();
    let chosen: Vec<&Group> = if specific.is_empty() {
        groups
            .iter()
            .filter(|g| g.agents.iter().any(|a| a == "*"))
            .collect()
    } else {
        specific
    };
    RobotsRules {
        rules: chosen
            .iter()
            .flat_map(|g| g.rules.iter().cloned())
            .collect(),
        crawl_delay: chosen.iter().find_map(|g| g.delay),
        unreachable: false,
    }
}

/// Upper-cases percent-escapes so patterns compare like canonical URLs.
fn normalize_pattern(p: &str) -> String {
    let mut out = String::with_capacity(p.len());
    let mut chars = p.chars().peekable();
    while let Some(c) = chars.next() {
        out.push(c);
        if c == '%' {
            for _ in 0..2 {
                if let Some(h) = chars.next_if(|h| h.is_ascii_hexdigit()) {
                    out.push(h.to_ascii_uppercase());
                }
            }
        }
    }
    // Non-ASCII characters are matched in percent-encoded form, like the URL path.
    out.chars()
        .map(|c| {
            if c.is_ascii() {
                c.to_string()
            } else {
                let mut buf = [0u8; 4];
                c.encode_utf8(&mut buf)
                    .bytes()
                    .map(|b| format!("%{b:02X}"))
                    .collect()
            }
        })
        .collect()
}

/// `*` matches any sequence, a trailing `$` anchors the end; otherwise a prefix match.
fn pattern_matches(pat: &[u8], path: &[u8]) -> bool {
    let (pat, anchored) = match pat.strip_suffix(b"$") {
        Some(p) => (p, true),
        None => (pat, false),
    };
    // Iterative wildcard matching with backtracking on the last `*`.
    let (mut p, mut s) = (0usize, 0usize);
    let mut star: Option<(usize, usize)> = None;
    loop {
        if p == pat.len() {
            if !anchored || s == path.len() {
                return true;
            }
        } else if pat[p] == b'*' {
            star = Some((p, s));
            p += 1;
            continue;
        } else if s < path.len() && pat[p] == path[s] {
            p += 1;
            s += 1;
            continue;
        }
        match star {
            Some((sp, ss)) if ss < path.len() => {
                star = Some((sp, ss + 1));
                p = sp + 1;
                s = ss + 1;
            }
            _ => return false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc9309_examples() {
        let txt = "User-agent: *\nDisallow: /private/\nAllow: /private/ok.html\nDisallow: /*.php$\nCrawl-delay: 2\n\nUser-agent: other\nDisallow: /\n";
        let r = parse(txt, "ogi-crawler/0.1");
        assert!(!r.allowed("/private/x.html"));
        assert!(r.allowed("/private/ok.html"));
        assert!(!r.allowed("/a/b.php"));
        assert!(r.allowed("/a/b.php?x=1"));
        assert!(r.allowed("/index.html"));
        assert_eq!(r.crawl_delay, Some(Duration::from_secs(2)));
        let r = parse(
            "User-agent: OGI-Crawler\nUser-agent: x\nDisallow: /a\n\nUser-agent: *\nDisallow: /\n",
            "ogi-crawler",
        );
        assert!(!r.allowed("/a"));
        assert!(r.allowed("/b"));
    }

    #[test]
    fn status_handling() {
        assert!(RobotsRules::from_status(404, "", "x").allowed("/a"));
        assert!(!RobotsRules::from_status(503, "", "x").allowed("/a"));
        assert!(!RobotsRules::from_status(429, "", "x").allowed("/a"));
        assert!(RobotsRules::from_status(200, "", "x").allowed("/a"));
        let r = parse("User-agent: *\nDisallow: /年报/\n", "x");
        assert!(!r.allowed("/%E5%B9%B4%E6%8A%A5/a.html"));
    }

    #[test]
    fn wildcards() {
        assert!(pattern_matches(b"/a*b", b"/axxb/c"));
        assert!(!pattern_matches(b"/a*b$", b"/axxbc"));
        assert!(pattern_matches(b"*", b"/"));
        assert!(!pattern_matches(b"/x", b"/"));
    }

    #[test]
    fn rules_past_500_kib_are_ignored_and_a_cut_line_is_dropped() {
        let mut txt = String::from("User-agent: *\nDisallow: /a\n");
        while txt.len() < MAX_ROBOTS_BYTES + 1000 {
            txt.push_str("# 注释 padding line\n");
        }
        txt.push_str("Disallow: /b\n");
        let r = parse(&txt, "ogi-crawler/0.1");
        assert!(!r.allowed("/a/x"));
        assert!(r.allowed("/b/x"), "a rule past the limit was read");

        // A rule straddling the limit is not read half.
        let mut txt = String::from("User-agent: *\nDisallow: /\n");
        while txt.len() < MAX_ROBOTS_BYTES - 5 {
            txt.push_str("#\n");
        }
        txt.push_str("Allow: /private/only-this-file.html\n");
        let r = parse(&txt, "ogi-crawler/0.1");
        assert!(!r.allowed("/private/other.html"));
    }
}
