pub mod checks;
pub mod inventory;
pub mod policy;
pub mod report;
pub mod request;
pub mod score;
pub mod collect;
