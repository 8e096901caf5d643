fn main() {
    shadow_rs::ShadowBuilder::builder().build().expect("shadow-rs writes shadow.rs");
}
