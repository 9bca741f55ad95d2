fn main() {
    let path = std::env::args().nth(1).unwrap();
    let bytes = std::fs::read(&path).unwrap();
    let opts = ogi_extract::ParseOptions {
        ocr: true,
        ..Default::default()
    };
    let ex = ogi_extract::formats::read_lines(&bytes, &opts);
    for l in &ex.lines {
        println!("{}", l.cells.join(" | "));
    }
    eprintln!("{:?}", ex.flags);
}
