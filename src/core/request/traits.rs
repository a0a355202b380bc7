//! A form's fields as Segment traits: what owner rules test (`company.employee_count`), and
//! what the tracker and the edge identify the visitor with when analytics consent allows.
//! The one mapping; `pkg-template/request.js` follows it and the shared fixture
//! `tests/fixtures/request/traits.json` holds both to the same answers.
use crate::core::event::Scalar;
use crate::core::sorted_map::SortedMap;

/// Field names (as sites name their inputs) → the trait they fill. The first field present
/// wins for a trait.
pub const FIELD_TRAITS: &[(&str, &str)] = &[
    ("email", "email"),
    ("name", "name"),
    ("full_name", "name"),
    ("first_name", "first_name"),
    ("last_name", "last_name"),
    ("title", "title"),
    ("job_title", "title"),
    ("company", "company.name"),
    ("company_name", "company.name"),
    ("employee_count", "company.employee_count"),
    ("employees", "company.employee_count"),
    ("company_size", "company.employee_count"),
    ("industry", "company.industry"),
    ("phone", "phone"),
    ("country", "country"),
];

/// The traits a request's fields fill: trimmed, empty ones left out, a number of employees as
/// a number (`"2500"` → 2500; a range such as `"1001-5000"` → its lower bound).
pub fn traits(fields: &SortedMap<String, String>) -> SortedMap<String, Scalar> {
    let mut out = SortedMap::new();
    for (field, name) in FIELD_TRAITS {
        let Some(value) = fields
            .get(*field)
            .map(|v| v.trim())
            .filter(|v| !v.is_empty())
        else {
            continue;
        };
        if out.get(*name).is_some() {
            continue;
        }
        let value = if *name == "company.employee_count" {
            match employees(value) {
                Some(n) => Scalar::Number(n),
                None => continue,
            }
        } else {
            Scalar::Text(value.to_string())
        };
        out.insert((*name).to_string(), value);
    }
    out
}

/// `2500`, `2,500`, `1001-5000`, `5000+` → the (lower) number.
fn employees(text: &str) -> Option<f64> {
    let digits: String = text
        .chars()
        .skip_while(|c| !c.is_ascii_digit())
        .take_while(|c| c.is_ascii_digit() || *c == ',')
        .filter(char::is_ascii_digit)
        .collect();
    digits.parse::<u32>().ok().map(f64::from)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields(pairs: &[(&str, &str)]) -> SortedMap<String, String> {
        let mut map = SortedMap::new();
        for (k, v) in pairs {
            map.insert((*k).to_string(), (*v).to_string());
        }
        map
    }

    #[test]
    fn form_fields_become_segment_traits() {
        let t = traits(&fields(&[
            ("email", " dana@acme.io "),
            ("job_title", "VP Marketing"),
            ("title", ""),
            ("company", "Acme"),
            ("company_size", "1,001-5,000"),
            ("message", "call me"),
        ]));
        assert_eq!(t.get("email"), Some(&Scalar::Text("dana@acme.io".into())));
        assert_eq!(t.get("title"), Some(&Scalar::Text("VP Marketing".into())));
        assert_eq!(
            t.get("company.employee_count"),
            Some(&Scalar::Number(1001.0))
        );
        assert_eq!(t.get("message"), None);
        assert_eq!(t.len(), 4);
    }
}
