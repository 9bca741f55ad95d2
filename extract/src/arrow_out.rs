//! Arrow schemas and Parquet output of reports and cells.
// STUB (helper B replaces this).
