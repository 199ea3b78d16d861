//! Re-embed the SQL migrations and the Fluent catalogue whenever they change (both are read
//! at compile time, by sqlx::migrate! and fluent_templates::static_loader!).
fn main() {
    println!("cargo:rerun-if-changed=migrations");
    println!("cargo:rerun-if-changed=migrations-postgres");
    println!("cargo:rerun-if-changed=locales");
}
