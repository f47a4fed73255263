//! The Python exceptions of parsm's core errors: one class per kind of [`ParsmError`], all
//! under `parsm.ParsmError`, itself a `ValueError` (so `except ValueError` keeps working), in the
//! way polars maps each Rust error variant to its own Python exception.

use parsm_core::ParsmError as CoreError;
use pyo3::create_exception;
use pyo3::exceptions::{PyMemoryError, PyRuntimeError, PyValueError};
use pyo3::prelude::*;

create_exception!(
    parsm,
    ParsmError,
    PyValueError,
    "Bad input to parsm's core (a ValueError); the subclasses say which kind."
);
create_exception!(
    parsm,
    NonFiniteError,
    ParsmError,
    "NaN or infinite values in the input."
);
create_exception!(
    parsm,
    EmptyInputError,
    ParsmError,
    "An input with no stimuli or no units."
);
create_exception!(
    parsm,
    StimulusMismatchError,
    ParsmError,
    "The two populations have different numbers of stimuli."
);
create_exception!(
    parsm,
    ConstantUnitsError,
    ParsmError,
    "Units whose correlation or cosine is undefined (constant or all zero)."
);
create_exception!(
    parsm,
    UnknownMetricError,
    ParsmError,
    "A metric parsm does not know."
);
create_exception!(
    parsm,
    MassError,
    ParsmError,
    "A mass s (or m) outside what the problem allows."
);
create_exception!(
    parsm,
    MarginalError,
    ParsmError,
    "Marginal weights that are negative, of the wrong length or unbalanced."
);
create_exception!(
    parsm,
    ShapeError,
    ParsmError,
    "An array of the wrong shape, or an index out of range."
);
create_exception!(
    parsm,
    ThreadCountError,
    ParsmError,
    "A bad thread count or pool."
);

/// A core error as its Python exception: the [`ParsmError`] subclass of its kind,
/// `MemoryError` when a matrix would not fit, `RuntimeError` for an internal failure.
pub fn to_py(e: CoreError) -> PyErr {
    let msg = e.to_string();
    match e {
        CoreError::OutOfMemory { .. } => PyMemoryError::new_err(msg),
        CoreError::Uncertified(_) => PyRuntimeError::new_err(msg),
        CoreError::NonFinite { .. } | CoreError::DistanceOverflow { .. } => {
            NonFiniteError::new_err(msg)
        }
        CoreError::Empty { .. } => EmptyInputError::new_err(msg),
        CoreError::StimulusMismatch { .. } => StimulusMismatchError::new_err(msg),
        CoreError::ConstantUnits { .. } => ConstantUnitsError::new_err(msg),
        CoreError::UnknownMetric(_) => UnknownMetricError::new_err(msg),
        CoreError::MassOutOfRange(_)
        | CoreError::MassTooLarge { .. }
        | CoreError::InvalidMass(_) => MassError::new_err(msg),
        CoreError::BadMarginal { .. }
        | CoreError::MarginalLength { .. }
        | CoreError::UnbalancedMarginals { .. }
        | CoreError::InfeasibleArcs => MarginalError::new_err(msg),
        CoreError::EmptyCost { .. }
        | CoreError::ShapeMismatch { .. }
        | CoreError::ArcLengths { .. }
        | CoreError::IndexOutOfRange { .. } => ShapeError::new_err(msg),
        CoreError::ZeroThreads | CoreError::ThreadPool(_) => ThreadCountError::new_err(msg),
        CoreError::Interrupted | CoreError::MetricMismatch { .. } => ParsmError::new_err(msg),
    }
}

/// Adds the exception classes to the module.
pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    let py = m.py();
    m.add("ParsmError", py.get_type::<ParsmError>())?;
    m.add("NonFiniteError", py.get_type::<NonFiniteError>())?;
    m.add("EmptyInputError", py.get_type::<EmptyInputError>())?;
    m.add(
        "StimulusMismatchError",
        py.get_type::<StimulusMismatchError>(),
    )?;
    m.add("ConstantUnitsError", py.get_type::<ConstantUnitsError>())?;
    m.add("UnknownMetricError", py.get_type::<UnknownMetricError>())?;
    m.add("MassError", py.get_type::<MassError>())?;
    m.add("MarginalError", py.get_type::<MarginalError>())?;
    m.add("ShapeError", py.get_type::<ShapeError>())?;
    m.add("ThreadCountError", py.get_type::<ThreadCountError>())?;
    Ok(())
}
