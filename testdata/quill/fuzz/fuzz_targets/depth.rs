fn main() {
    let _ = quill::depth("[[]]");
}
