//! Where finished reports go. A sink only ships a report; it never changes one.

pub mod local;
pub mod s3;
pub mod sns;
pub mod table;
