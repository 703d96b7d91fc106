fn main() {
    println!("{}", cargo::registry());
}
