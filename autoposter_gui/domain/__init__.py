"""Pure domain layer: enums, value types, validation rules, retry policy and clock (no Qt, SQL or HTTP)."""
