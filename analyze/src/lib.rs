//! Polars stage: cells to panel datasets (see README).
