//! Cost matrices against direct per-pair formulas, and their input checks.

mod common;

use common::Rng;
use ndarray::Array2;
use parsm_core::threads::with_threads;
use parsm_core::{cost_matrix, Metric, ParsmError, Side};

fn random(rng: &mut Rng, m: usize, n: usize) -> Array2<f64> {
    Array2::from_shape_fn((m, n), |_| rng.normal())
}

fn direct(x: &[f64], y: &[f64], metric: Metric) -> f64 {
    let m = x.len() as f64;
    let dot = |a: &[f64], b: &[f64]| a.iter().zip(b).map(|(p, q)| p * q).sum::<f64>();
    match metric {
        Metric::Correlation => {
            let mx = x.iter().sum::<f64>() / m;
            let my = y.iter().sum::<f64>() / m;
            let xc: Vec<f64> = x.iter().map(|v| v - mx).collect();
            let yc: Vec<f64> = y.iter().map(|v| v - my).collect();
            1.0 - dot(&xc, &yc) / (dot(&xc, &xc) * dot(&yc, &yc)).sqrt()
        }
        Metric::Cosine => 1.0 - dot(x, y) / (dot(x, x) * dot(y, y)).sqrt(),
        Metric::SqEuclidean => x.iter().zip(y).map(|(p, q)| (p - q) * (p - q)).sum(),
        Metric::Euclidean => direct(x, y, Metric::SqEuclidean).sqrt(),
    }
}

/// Every entry, of small matrices and of ones over several row blocks and column tiles whose
/// sizes are not multiples of the kernel's blocks (the matrix is allocated uninitialised, so
/// an entry left out would show here).
#[test]
fn every_metric_matches_the_direct_formula() {
    for (nx, ny) in [(70, 45), (301, 263)] {
        every_metric_matches_the_direct_formula_at(nx, ny);
    }
}

fn every_metric_matches_the_direct_formula_at(nx: usize, ny: usize) {
    let mut rng = Rng::new(1);
    let x = random(&mut rng, 30, nx);
    let mut y = random(&mut rng, 30, ny);
    y.column_mut(3).assign(&x.column(5)); // an exact duplicate: distance 0
    for metric in [
        Metric::Correlation,
        Metric::Cosine,
        Metric::SqEuclidean,
        Metric::Euclidean,
    ] {
        let c = cost_matrix(x.view(), y.view(), metric).unwrap();
        assert_eq!(c.dim(), (nx, ny));
        for i in 0..nx {
            for j in 0..ny {
                let xi: Vec<f64> = x.column(i).to_vec();
                let yj: Vec<f64> = y.column(j).to_vec();
                let d = direct(&xi, &yj, metric).max(0.0);
                assert!(
                    (c[[i, j]] - d).abs() <= 1e-12 * d.max(1.0),
                    "{metric:?} {i} {j}"
                );
            }
        }
        assert!(
            c[[5, 3]] < 1e-12,
            "{metric:?}: duplicate units must be at distance 0"
        );
        assert!(c.iter().all(|&v| v >= 0.0));
    }
}

#[test]
fn result_does_not_depend_on_thread_count() {
    let mut rng = Rng::new(2);
    let x = random(&mut rng, 50, 300);
    let y = random(&mut rng, 50, 200);
    let one = with_threads(Some(1), || {
        cost_matrix(x.view(), y.view(), Metric::Correlation)
    })
    .unwrap();
    let two = with_threads(Some(2), || {
        cost_matrix(x.view(), y.view(), Metric::Correlation)
    })
    .unwrap();
    assert_eq!(one.unwrap(), two.unwrap());
}

#[test]
fn constant_units_are_named() {
    let mut rng = Rng::new(3);
    let x = random(&mut rng, 10, 6);
    let mut y = random(&mut rng, 10, 5);
    y.column_mut(1).fill(0.0);
    y.column_mut(4).fill(2.5);
    let err = cost_matrix(x.view(), y.view(), Metric::Correlation).unwrap_err();
    assert_eq!(
        err,
        ParsmError::ConstantUnits {
            side: Side::Y,
            metric: "correlation",
            indices: vec![1, 4]
        }
    );
    // Cosine is defined for constant nonzero units, not for all-zero ones.
    let err = cost_matrix(x.view(), y.view(), Metric::Cosine).unwrap_err();
    assert!(err.to_string().contains("[1]"), "{err}");
    assert!(cost_matrix(x.view(), y.view(), Metric::SqEuclidean).is_ok());
}

#[test]
fn bad_shapes_and_values_are_errors() {
    let x = Array2::<f64>::ones((10, 3));
    let y = Array2::<f64>::ones((9, 3));
    let err = cost_matrix(x.view(), y.view(), Metric::SqEuclidean).unwrap_err();
    assert!(matches!(
        err,
        ParsmError::StimulusMismatch { mx: 10, my: 9 }
    ));
    let mut z = Array2::<f64>::ones((10, 3));
    z[[2, 1]] = f64::NAN;
    z[[3, 1]] = f64::INFINITY;
    let err = cost_matrix(x.view(), z.view(), Metric::SqEuclidean).unwrap_err();
    assert!(matches!(
        err,
        ParsmError::NonFinite {
            what: "Y",
            count: 2
        }
    ));
    let empty = Array2::<f64>::ones((10, 0));
    assert!(cost_matrix(x.view(), empty.view(), Metric::SqEuclidean).is_err());
    assert!("nope".parse::<Metric>().is_err());
}

/// Finite responses whose Euclidean distances overflow (to infinity, or to NaN from
/// `inf - inf`, which clamping at 0 would hide) are refused with the largest response named;
/// correlation and cosine are scale-free and still computed; below the overflow, distances
/// are computed.
#[test]
fn euclidean_distances_beyond_the_float_range_are_an_error() {
    use parsm_core::cost::cost_matrix_monitored;
    use parsm_core::{ConstantUnits, Monitor};
    let mut rng = Rng::new(9);
    let x = random(&mut rng, 20, 7);
    let y = random(&mut rng, 20, 300);
    let big = x.mapv(|v| v * 1e300);
    // One unit against itself: `inf - 2 * inf` is NaN, the only non-finite distance there.
    let one = big.slice(ndarray::s![.., ..1]).to_owned();
    let monitor = Monitor::new();
    for (a, b) in [(&big, &y), (&big, &big), (&one, &one)] {
        for metric in [Metric::SqEuclidean, Metric::Euclidean] {
            let err = cost_matrix(a.view(), b.view(), metric).unwrap_err();
            let ParsmError::DistanceOverflow { largest, .. } = err else {
                panic!("{metric:?}: {err:?}");
            };
            assert_eq!(largest, a.iter().fold(0.0f64, |m, v| m.max(v.abs())));
        }
        for metric in [Metric::Correlation, Metric::Cosine] {
            assert!(cost_matrix(a.view(), b.view(), metric).is_ok());
        }
    }
    // Within f64, beyond f32: an error only when stored as f32.
    let (x20, y20) = (x.mapv(|v| v * 1e20), y.mapv(|v| v * 1e20));
    fn stored<T: parsm_core::scalar::Cost>(
        x: &Array2<f64>,
        y: &Array2<f64>,
        monitor: &Monitor,
    ) -> Result<(), ParsmError> {
        let constant = ConstantUnits::Reject;
        cost_matrix_monitored::<T>(x.view(), y.view(), Metric::SqEuclidean, constant, monitor)
            .map(|_| ())
    }
    let run = |storage_f32: bool| {
        if storage_f32 {
            stored::<f32>(&x20, &y20, &monitor)
        } else {
            stored::<f64>(&x20, &y20, &monitor)
        }
    };
    assert!(run(false).is_ok());
    assert!(matches!(
        run(true),
        Err(ParsmError::DistanceOverflow { .. })
    ));
}

/// From the populations' unit factors, the cost matrix is the one from their responses, bit
/// for bit, for every metric, both storage types and factors given in either layout; factors
/// on different stimuli are refused.
#[test]
fn prepared_populations_give_the_same_cost_matrix_as_responses() {
    use parsm_core::cost::{
        cost_matrix_between, cost_matrix_monitored, unit_factors, PreparedPopulation,
    };
    use parsm_core::{ConstantUnits, Monitor};
    let mut rng = Rng::new(3);
    let x = random(&mut rng, 40, 90);
    let y = random(&mut rng, 40, 65).mapv(|v| 1e3 * v + 7.0);
    let monitor = Monitor::new();
    for metric in [
        Metric::Correlation,
        Metric::Cosine,
        Metric::SqEuclidean,
        Metric::Euclidean,
    ] {
        let want: Array2<f64> =
            cost_matrix_monitored(x.view(), y.view(), metric, ConstantUnits::Reject, &monitor)
                .unwrap();
        let want32: Array2<f32> =
            cost_matrix_monitored(x.view(), y.view(), metric, ConstantUnits::Reject, &monitor)
                .unwrap();
        let px = PreparedPopulation::new(x.view(), metric).unwrap();
        let ux = unit_factors(x.view(), metric).unwrap();
        assert_eq!(px.factors(), ux);
        assert_eq!(px.dim(), ux.dim());
        let uy = unit_factors(y.view(), metric).unwrap();
        // Rebuilt from its factors (as a pickled copy is), also from column-major ones.
        let uy_f = uy.t().as_standard_layout().into_owned().reversed_axes();
        for (py, which) in [
            (
                PreparedPopulation::new(y.view(), metric).unwrap(),
                "responses",
            ),
            (
                PreparedPopulation::from_factors(uy.clone(), metric).unwrap(),
                "factors",
            ),
            (
                PreparedPopulation::from_factors(uy_f, metric).unwrap(),
                "strided factors",
            ),
        ] {
            let got: Array2<f64> = cost_matrix_between(&px, &py, &monitor).unwrap();
            assert_eq!(got, want, "{metric:?}, {which}");
            let got32: Array2<f32> = cost_matrix_between(&px, &py, &monitor).unwrap();
            assert_eq!(got32, want32, "{metric:?}, {which}, float32");
        }
    }
    // Near copies: Euclidean distances far below the norms, recomputed from the units (read
    // back from the packed copy of a prepared population), the same bits.
    let near = x.mapv(|v| 50.0 + v) + &random(&mut rng, 40, 90).mapv(|v| 1e-7 * v);
    let far = x.mapv(|v| 50.0 + v);
    for metric in [Metric::SqEuclidean, Metric::Euclidean] {
        let want: Array2<f64> = cost_matrix_monitored(
            far.view(),
            near.view(),
            metric,
            ConstantUnits::Reject,
            &monitor,
        )
        .unwrap();
        let (pa, pb) = (
            PreparedPopulation::new(far.view(), metric).unwrap(),
            PreparedPopulation::new(near.view(), metric).unwrap(),
        );
        let got: Array2<f64> = cost_matrix_between(&pa, &pb, &monitor).unwrap();
        assert_eq!(got, want, "{metric:?}, near copies");
        // The diagonal is a near copy's distance: recomputed, not lost to cancellation.
        assert!(
            (0..90).all(|i| got[[i, i]] > 0.0 && got[[i, i]] < 1e-4),
            "{metric:?}"
        );
    }
    let short = PreparedPopulation::new(random(&mut rng, 39, 10).view(), Metric::Correlation);
    let px = PreparedPopulation::new(x.view(), Metric::Correlation).unwrap();
    let err = cost_matrix_between::<f64>(&px, &short.unwrap(), &monitor);
    assert!(matches!(
        err,
        Err(ParsmError::StimulusMismatch { mx: 40, my: 39 })
    ));
    let cosine = PreparedPopulation::new(y.view(), Metric::Cosine).unwrap();
    let err = cost_matrix_between::<f64>(&px, &cosine, &monitor);
    assert!(matches!(err, Err(ParsmError::MetricMismatch { .. })));
    let inf = Array2::from_elem((3, 4), f64::INFINITY);
    let err = PreparedPopulation::from_factors(inf, Metric::Correlation).err();
    assert!(matches!(err, Some(ParsmError::NonFinite { count: 12, .. })));
}
