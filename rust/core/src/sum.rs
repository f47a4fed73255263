//! Compensated summation, for costs and masses summed over many plan entries.

/// Neumaier's compensated summation.
#[derive(Default, Clone)]
pub(crate) struct Neumaier {
    sum: f64,
    comp: f64,
}

impl Neumaier {
    pub(crate) fn add(&mut self, x: f64) {
        let t = self.sum + x;
        if self.sum.abs() >= x.abs() {
            self.comp += (self.sum - t) + x;
        } else {
            self.comp += (x - t) + self.sum;
        }
        self.sum = t;
    }
    pub(crate) fn sum(&self) -> f64 {
        self.sum + self.comp
    }
}
