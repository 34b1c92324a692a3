"""Filters in one place: `parsing` turns EverShop's `filters: [FilterInput]` into a list
request (validated, with what is ignored named); `evaluation` is the gateway's own evaluation of
conditions and sort orders, for what a source cannot do itself (and the oracle of the tests)."""
