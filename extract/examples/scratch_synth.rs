use ogi_extract::{lines_from_text, parse_lines};
use ogi_testkit::synth::{Layout, Options, synth};
fn main() {
    let opts = Options {
        template: ogi_extract::Template::V2021,
        inconsistent: false,
        dashes: true,
    };
    let s = synth(1003, Layout::PdfText, &opts);
    let lines = lines_from_text(&s.text);
    let r = parse_lines(&lines);
    for l in &lines {
        println!("{:>4}: {}", l.no, l.cells.join(" | "));
    }
    print!("{}", ogi_extract::explain::explain(&r, &lines));
}
