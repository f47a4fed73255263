//! # parsm-core
//!
//! Exact partial optimal transport for comparing two neural populations unit by unit (the
//! *partial soft-matching distance*, Kapoor, Williams & Khosla, ICLR 2026). Pure Rust, no Python:
//!
//! * [`cost`]: cost matrices between units (correlation, cosine, squared and plain Euclidean);
//! * [`assignment`]: Jonker–Volgenant for square soft matching (an assignment problem);
//! * [`simplex`]: a network simplex on dense bipartite graphs with implicit arcs;
//! * [`transport`]: exact balanced and partial transport on top of it;
//! * [`path`]: the whole optimal-cost path ζ(s) of partial transport in one solve;
//! * [`pair`]: what `pairwise` reports of a pair of prepared populations, in one call;
//! * [`projection`]: linear images `Lᵀ T(s) R` of the path's plans (held-out gains and their
//!   permutation variances, without dense plans);
//! * [`elbow`]: the L-curve elbow rules;
//! * [`sweep`]: parallel independent solves (a simplex per mass, sub-population costs);
//! * [`ablation`]: the paper's brute-force unit importance, one Dijkstra per unit when square;
//! * [`monitor`]: progress and cancellation of a running solve;
//! * [`memory`]: memory estimates checked before large allocations;
//! * [`scalar`]: the element types (f64, f32) a cost matrix may be stored in;
//! * [`threads`]: the rayon pool every parallel entry point runs in.
// Measured hot loops need `unsafe`, each only to call code compiled for a CPU feature after
// checking the CPU has it: the AVX-512 product kernel (`products`, 1.7-2x the cost matrix's
// GEMM), the mass path's AVX2 copy (`path`, 10-12 % of a path) and the AVX2 copies of the
// soft matching's passes over the matrix (`simplex_pricing`: its lists and their refills, the
// latter 2 % of a soft matching). One allocation does too: the cost matrix is allocated
// uninitialised and every entry written once (`cost::costs_of`; zeroing it first cost 5 % of a
// cost matrix on the pairwise bench's pairs). Nothing else may use it.
#![deny(unsafe_code)]

pub mod ablation;
pub mod assignment;
pub mod cost;
pub mod elbow;
pub mod error;
pub mod memory;
pub mod monitor;
pub mod pair;
pub mod path;
mod path_candidates;
mod path_search;
mod products;
pub mod projection;
pub mod ranking;
pub mod scalar;
mod select;
pub mod simplex;
mod simplex_pricing;
pub mod sum;
pub mod sweep;
pub mod threads;
pub mod transport;
pub mod validate;

pub use cost::{cost_matrix, ConstantUnits, Metric};
pub use error::{ParsmError, Side};
pub use monitor::{Monitor, Watcher};
pub use path::MassPath;
pub use simplex::{SolveStatus, TransportSolution};
pub use transport::{
    emd, emd_cost, emd_on_arcs, partial, soft_matching, soft_matching_cost,
    soft_matching_cost_priced, SparseArcs, SparseTransportSolution, TransportOptions,
};
