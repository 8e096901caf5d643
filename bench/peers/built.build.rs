fn main() {
    built::write_built_file().expect("built writes built.rs");
}
