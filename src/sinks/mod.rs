//! Where finished reports go. A sink only ships a report; it never changes one.

pub mod local;
pub mod table;
