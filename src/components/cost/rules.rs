//! The cost component's rules, one file per family: the budget (E8xx),
//! the document's claims and growth items (E810–E812), recurring products
//! (E813–E815) and the price catalog's age (W815).

pub mod budget;
pub mod claims;
pub mod price_age;
pub mod recurring;
