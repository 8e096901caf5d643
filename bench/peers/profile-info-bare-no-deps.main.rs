#[profile_info::main(dependencies = false)]
fn main() {
    println!("hello");
}
