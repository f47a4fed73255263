//! Error type of the core crate. Every fallible public function returns [`ParsmError`];
//! the Python bindings map each variant to `ValueError`.

use thiserror::Error;

/// Which input an error is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    /// The first population, `X`, or the source marginal `a`.
    X,
    /// The second population, `Y`, or the target marginal `b`.
    Y,
}

impl std::fmt::Display for Side {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Side::X => "X",
            Side::Y => "Y",
        })
    }
}

/// Formats at most the first 20 indices, then a count of the rest.
fn fmt_indices(idx: &[usize]) -> String {
    const SHOWN: usize = 20;
    let head: Vec<String> = idx.iter().take(SHOWN).map(|i| i.to_string()).collect();
    if idx.len() > SHOWN {
        format!("[{}, ... ({} more)]", head.join(", "), idx.len() - SHOWN)
    } else {
        format!("[{}]", head.join(", "))
    }
}

/// Everything that can go wrong in parsm's core.
#[derive(Debug, Error, Clone, PartialEq)]
pub enum ParsmError {
    #[error("{what} contains {count} NaN or infinite value(s); remove or impute them before comparing populations")]
    NonFinite { what: &'static str, count: usize },

    /// Finite responses whose Euclidean distances are not (their squares overflow).
    #[error("the {metric} distances overflow the float range (responses reach {largest:.2e} in absolute value, and their squares exceed about 1.8e308, or 3.4e38 stored as float32); rescale the responses, for example divide both populations by their largest absolute value")]
    DistanceOverflow { metric: &'static str, largest: f64 },

    #[error("{what} is empty (shape {rows} x {cols}); it needs at least one stimulus (row) and one unit (column)")]
    Empty {
        what: &'static str,
        rows: usize,
        cols: usize,
    },

    #[error("X has {mx} stimuli (rows) but Y has {my}; both populations must be recorded on the same stimuli, in the same order (arrays are stimuli x units)")]
    StimulusMismatch { mx: usize, my: usize },

    #[error("{side} has constant (zero-variance or all-zero) unit(s) at column indices {}, for which the {metric} distance is undefined; drop those units (for example with parsm.drop_constant_units) or use metric='sqeuclidean'", fmt_indices(.indices))]
    ConstantUnits {
        side: Side,
        metric: &'static str,
        indices: Vec<usize>,
    },

    #[error(
        "unknown metric '{0}'; use one of 'correlation', 'cosine', 'sqeuclidean', 'euclidean'"
    )]
    UnknownMetric(String),

    #[error("the populations are prepared for different metrics ('{a}' and '{b}'); prepare both for the metric of the cost matrix")]
    MetricMismatch { a: &'static str, b: &'static str },

    #[error("s = {0} is outside [0, 1]; s is the fraction of mass to transport")]
    MassOutOfRange(f64),

    #[error("m = {m} exceeds the available mass min(sum(a), sum(b)) = {available}; lower m")]
    MassTooLarge { m: f64, available: f64 },

    #[error("m = {0} is negative or not finite; m must be a number in [0, min(sum(a), sum(b))]")]
    InvalidMass(f64),

    #[error("marginal {side} has a negative or non-finite weight at index {index} ({value}); weights must be finite and >= 0")]
    BadMarginal {
        side: Side,
        index: usize,
        value: f64,
    },

    #[error("marginal {side} has length {got} but the cost matrix has {expected} {}; give one weight per {}", if matches!(.side, Side::X) {"rows"} else {"columns"}, if matches!(.side, Side::X) {"row"} else {"column"})]
    MarginalLength {
        side: Side,
        got: usize,
        expected: usize,
    },

    #[error("the marginals have different total mass (sum(a) = {sum_a}, sum(b) = {sum_b}); balanced transport needs equal sums, normalise them or use partial transport")]
    UnbalancedMarginals { sum_a: f64, sum_b: f64 },

    #[error("the allowed arcs (the stored entries of the sparse cost matrix) cannot carry the marginals: some mass has no arc to go through; store more entries, or check a and b")]
    InfeasibleArcs,

    #[error("the sparse cost matrix has {rows} row indices, {cols} column indices and {costs} values; give one row, column and value per arc")]
    ArcLengths {
        rows: usize,
        cols: usize,
        costs: usize,
    },

    #[error("cost matrix has shape {rows} x {cols}; it needs at least one row and one column")]
    EmptyCost { rows: usize, cols: usize },

    #[error("n_threads must be at least 1 (got 0); pass None to use all cores")]
    ZeroThreads,

    #[error("unit index {index} is out of range for a population of {len} units")]
    IndexOutOfRange { index: usize, len: usize },

    #[error("could not build the thread pool: {0}")]
    ThreadPool(String),

    #[error("interrupted")]
    Interrupted,

    #[error("{what} has shape {got:?} but {expected:?} was expected")]
    ShapeMismatch {
        what: &'static str,
        got: (usize, usize),
        expected: (usize, usize),
    },

    #[error("internal error: the solver's optimality certificate failed ({0}); please report this with the inputs that caused it")]
    Uncertified(String),

    #[error("this needs about {needed_gib:.1} GiB of memory ({what}) but about {available_gib:.1} GiB is available; {remedy}")]
    OutOfMemory {
        what: String,
        needed_gib: f64,
        available_gib: f64,
        remedy: &'static str,
    },
}
