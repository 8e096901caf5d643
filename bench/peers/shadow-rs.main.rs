use shadow_rs::shadow;

shadow!(build);

fn main() {
    println!("hello");
    // Every constant shadow-rs generates, as `NAME:value` lines; continuation lines of multi-line
    // values (CARGO_TREE, GIT_STATUS_FILE) are left out.
    for line in build::BuildInfoDisplay::all().to_string().lines() {
        if let Some((key, value)) = line.split_once(':') {
            if !key.is_empty() && key.bytes().all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_') {
                println!("{key}={value}");
            }
        }
    }
}
