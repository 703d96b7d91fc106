fn main() {
    println!("{}", ledger::balance(&[1, 2]));
}
