//! L2-regularised logistic regression by Newton's method (iteratively reweighted least
//! squares) on sparse rows.
//!
//! NOTE: hand-written rather than linfa-logistic or argmin: a model has at most 128 rules,
//! so the Hessian is at most 129 × 129 and Newton's method converges in a handful of exact
//! steps (a Cholesky solve each), where a quasi-Newton crate would need tuning and bring
//! ndarray and friends into the command. The tests check it against scikit-learn.
//!
//! Minimises Σᵢ [log(1 + e^zᵢ) − yᵢ zᵢ] + (λ/2)·‖w‖², zᵢ = b + w·xᵢ; the intercept b is not
//! penalised (scikit-learn's `LogisticRegression(C = 1/λ)` is the same objective).

/// One example: its non-zero features (index, value) and whether it converted.
#[derive(Debug, Clone)]
pub struct Row {
    pub features: Vec<(u32, f64)>,
    pub label: bool,
}

#[derive(Debug, Clone)]
pub struct Fitted {
    pub intercept: f64,
    pub weights: Vec<f64>,
    pub iterations: u32,
    pub converged: bool,
}

const MAX_ITERATIONS: u32 = 100;
const TOLERANCE: f64 = 1e-9;

/// log(1 + e^z), without overflow.
fn softplus(z: f64) -> f64 {
    z.max(0.0) + (-z.abs()).exp().ln_1p()
}

fn sigmoid(z: f64) -> f64 {
    if z >= 0.0 {
        1.0 / (1.0 + (-z).exp())
    } else {
        let e = z.exp();
        e / (1.0 + e)
    }
}

/// θ = [b, w₀ … w_{d−1}].
fn linear(theta: &[f64], row: &Row) -> f64 {
    let mut z = theta.first().copied().unwrap_or(0.0);
    for &(j, x) in &row.features {
        z += theta.get(j as usize + 1).copied().unwrap_or(0.0) * x;
    }
    z
}

fn objective(theta: &[f64], rows: &[Row], l2: f64) -> f64 {
    let loss: f64 = rows
        .iter()
        .map(|r| {
            let z = linear(theta, r);
            softplus(z) - if r.label { z } else { 0.0 }
        })
        .sum();
    let penalty: f64 = theta.iter().skip(1).map(|w| w * w).sum();
    loss + 0.5 * l2 * penalty
}

/// The log loss of one row under a fit (what cross-validation sums).
pub fn log_loss(fitted: &Fitted, row: &Row) -> f64 {
    let mut z = fitted.intercept;
    for &(j, x) in &row.features {
        z += fitted.weights.get(j as usize).copied().unwrap_or(0.0) * x;
    }
    softplus(z) - if row.label { z } else { 0.0 }
}

/// Fits `dims` weights and an intercept.
pub fn fit(rows: &[Row], dims: usize, l2: f64) -> Fitted {
    let n = dims + 1;
    let mut theta = vec![0.0; n];
    let mut current = objective(&theta, rows, l2);
    let mut iterations = 0;
    let mut converged = false;
    while iterations < MAX_ITERATIONS {
        iterations += 1;
        let (gradient, mut hessian) = derivatives(&theta, rows, l2, n);
        let Some(step) = solve(&mut hessian, &gradient, n) else {
            break;
        };
        // Backtracking: Newton's full step, halved until the objective does not grow.
        let mut t = 1.0;
        let mut next = theta.clone();
        let mut value = current;
        for _ in 0..30 {
            for (k, v) in next.iter_mut().enumerate() {
                *v = theta.get(k).copied().unwrap_or(0.0) - t * step.get(k).copied().unwrap_or(0.0);
            }
            value = objective(&next, rows, l2);
            if value <= current {
                break;
            }
            t *= 0.5;
        }
        let moved = step.iter().map(|s| (t * s).abs()).fold(0.0, f64::max);
        let improved = current - value;
        if value <= current {
            theta = next;
            current = value;
        }
        if moved < TOLERANCE || improved.abs() <= TOLERANCE * (1.0 + current.abs()) {
            converged = true;
            break;
        }
    }
    Fitted {
        intercept: theta.first().copied().unwrap_or(0.0),
        weights: theta.into_iter().skip(1).collect(),
        iterations,
        converged,
    }
}

/// The gradient and the Hessian (row-major n × n) of the objective at θ.
fn derivatives(theta: &[f64], rows: &[Row], l2: f64, n: usize) -> (Vec<f64>, Vec<f64>) {
    let mut gradient = vec![0.0; n];
    let mut hessian = vec![0.0; n * n];
    let mut entries: Vec<(usize, f64)> = Vec::new();
    for row in rows {
        let p = sigmoid(linear(theta, row));
        let residual = p - if row.label { 1.0 } else { 0.0 };
        let weight = p * (1.0 - p);
        entries.clear();
        entries.push((0, 1.0));
        entries.extend(row.features.iter().map(|&(j, x)| (j as usize + 1, x)));
        for &(a, xa) in &entries {
            if let Some(g) = gradient.get_mut(a) {
                *g += residual * xa;
            }
            for &(b, xb) in &entries {
                if let Some(h) = hessian.get_mut(a * n + b) {
                    *h += weight * xa * xb;
                }
            }
        }
    }
    for k in 1..n {
        if let Some(g) = gradient.get_mut(k) {
            *g += l2 * theta.get(k).copied().unwrap_or(0.0);
        }
        if let Some(h) = hessian.get_mut(k * n + k) {
            *h += l2;
        }
    }
    // NOTE: a feature that never fires leaves its row empty but for λ; the intercept gets a
    // whisker so that the matrix is positive definite even then.
    if let Some(h) = hessian.first_mut() {
        *h += 1e-12;
    }
    (gradient, hessian)
}

/// Solves H·x = g by Cholesky (H symmetric positive definite, overwritten).
fn solve(h: &mut [f64], g: &[f64], n: usize) -> Option<Vec<f64>> {
    let at = |i: usize, j: usize| i * n + j;
    for j in 0..n {
        let mut diagonal = h.get(at(j, j)).copied()?;
        for k in 0..j {
            let l = h.get(at(j, k)).copied()?;
            diagonal -= l * l;
        }
        if diagonal <= 0.0 || !diagonal.is_finite() {
            return None;
        }
        let diagonal = diagonal.sqrt();
        *h.get_mut(at(j, j))? = diagonal;
        for i in j + 1..n {
            let mut value = h.get(at(i, j)).copied()?;
            for k in 0..j {
                value -= h.get(at(i, k)).copied()? * h.get(at(j, k)).copied()?;
            }
            *h.get_mut(at(i, j))? = value / diagonal;
        }
    }
    // L·y = g, then Lᵀ·x = y.
    let mut y = vec![0.0; n];
    for i in 0..n {
        let mut value = g.get(i).copied()?;
        for k in 0..i {
            value -= h.get(at(i, k)).copied()? * y.get(k).copied()?;
        }
        *y.get_mut(i)? = value / h.get(at(i, i)).copied()?;
    }
    let mut x = vec![0.0; n];
    for i in (0..n).rev() {
        let mut value = y.get(i).copied()?;
        for k in i + 1..n {
            value -= h.get(at(k, i)).copied()? * x.get(k).copied()?;
        }
        *x.get_mut(i)? = value / h.get(at(i, i)).copied()?;
    }
    Some(x)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dense(x: &[[f64; 3]], y: &[u8]) -> Vec<Row> {
        x.iter()
            .zip(y)
            .map(|(xs, &label)| Row {
                features: xs
                    .iter()
                    .enumerate()
                    .filter(|(_, &v)| v != 0.0)
                    .map(|(j, &v)| (j as u32, v))
                    .collect(),
                label: label == 1,
            })
            .collect()
    }

    #[test]
    fn matches_scikit_learn_on_a_small_problem() {
        // LogisticRegression(C=1.0, tol=1e-12).fit(X, y): intercept −1.32699661,
        // coef [0.81045397, 0.24805202, 0.80923613] (scikit-learn 1.9).
        let x = [
            [1.0, 0.0, 2.0],
            [0.0, 1.0, 0.0],
            [1.0, 1.0, 1.0],
            [0.0, 0.0, 3.0],
            [1.0, 0.0, 0.0],
            [0.0, 1.0, 1.0],
            [1.0, 1.0, 0.0],
            [0.0, 0.0, 1.0],
        ];
        let y = [1, 0, 1, 1, 0, 0, 1, 0];
        let fitted = fit(&dense(&x, &y), 3, 1.0);
        assert!(fitted.converged);
        let expected = [0.81045397, 0.24805202, 0.80923613];
        assert!((fitted.intercept - -1.32699661).abs() < 1e-6, "{fitted:?}");
        for (w, e) in fitted.weights.iter().zip(expected) {
            assert!((w - e).abs() < 1e-6, "{fitted:?}");
        }
    }

    #[test]
    fn recovers_known_weights_from_many_examples() {
        let truth = [1.5, -2.0, 0.5];
        let intercept = -0.5;
        let mut seed = 0x9e37_79b9_7f4a_7c15u64;
        let mut next = move || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            (seed >> 11) as f64 / (1u64 << 53) as f64
        };
        let rows: Vec<Row> = (0..40_000)
            .map(|_| {
                let xs = [
                    f64::from(next() < 0.4),
                    f64::from(next() < 0.3),
                    (next() * 4.0).floor(),
                ];
                let z = intercept + truth.iter().zip(xs).map(|(w, x)| w * x).sum::<f64>();
                let label = next() < sigmoid(z);
                dense(&[xs], &[u8::from(label)]).remove(0)
            })
            .collect();
        let fitted = fit(&rows, 3, 0.01);
        assert!(fitted.converged && fitted.iterations < 20, "{fitted:?}");
        for (w, t) in fitted.weights.iter().zip(truth) {
            assert!((w - t).abs() < 0.08, "{fitted:?}");
        }
        assert!((fitted.intercept - intercept).abs() < 0.08, "{fitted:?}");
    }

    #[test]
    fn separable_data_stays_finite_under_the_penalty() {
        let x = [
            [1.0, 0.0, 0.0],
            [1.0, 0.0, 0.0],
            [0.0, 0.0, 0.0],
            [0.0, 0.0, 0.0],
        ];
        let fitted = fit(&dense(&x, &[1, 1, 0, 0]), 3, 1.0);
        assert!(fitted.converged);
        assert!(fitted.weights[0].is_finite() && fitted.weights[0] > 0.5);
        assert_eq!(
            fitted.weights[1], 0.0,
            "a feature that never fires learns nothing"
        );
    }
}
