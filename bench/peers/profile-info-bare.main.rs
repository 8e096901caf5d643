#[profile_info::main]
fn main() {
    println!("hello");
}
