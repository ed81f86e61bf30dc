"""Plain types of Assay: task templates, question specs, statuses. No I/O."""
