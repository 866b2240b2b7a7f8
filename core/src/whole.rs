//! Integers in JSON bodies in either spelling JSON Schema calls an integer, `3` or `3.0`: a
//! client generated from the server's OpenAPI document (or a JavaScript one) may send either,
//! and serde alone refuses `3.0` for an integer field. A number with a fraction, or out of the
//! type's range, is still refused.

use serde::de::{Deserializer, Error, Visitor};

/// Deserializes an integer of type `T` from a JSON integer or a whole float.
pub fn integer<'de, D, T>(d: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: TryFrom<i64> + TryFrom<u64>,
{
    struct Whole<T>(std::marker::PhantomData<T>);

    impl<T: TryFrom<i64> + TryFrom<u64>> Visitor<'_> for Whole<T> {
        type Value = T;

        fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("an integer in range")
        }

        fn visit_i64<E: Error>(self, v: i64) -> Result<T, E> {
            T::try_from(v).map_err(|_| E::custom(format!("{v} is out of range")))
        }

        fn visit_u64<E: Error>(self, v: u64) -> Result<T, E> {
            T::try_from(v).map_err(|_| E::custom(format!("{v} is out of range")))
        }

        fn visit_f64<E: Error>(self, v: f64) -> Result<T, E> {
            // Exactly representable whole numbers only: 2^63 and above do not fit an i64.
            if v.fract() == 0.0 && v.abs() < 9.2e18 {
                self.visit_i64(v as i64)
            } else {
                Err(E::custom(format!("{v} is not an integer")))
            }
        }
    }

    d.deserialize_any(Whole(std::marker::PhantomData))
}

#[cfg(test)]
mod tests {
    #[derive(serde::Deserialize, Debug, PartialEq)]
    struct N {
        #[serde(deserialize_with = "super::integer")]
        n: u32,
    }

    #[test]
    fn whole_floats_are_integers_and_nothing_else_is() {
        let parse = |s: &str| serde_json::from_str::<N>(s).map(|n| n.n);
        assert_eq!(parse(r#"{"n": 3}"#).ok(), Some(3));
        assert_eq!(parse(r#"{"n": 3.0}"#).ok(), Some(3));
        assert_eq!(parse(r#"{"n": 4294967295.0}"#).ok(), Some(u32::MAX));
        for bad in [
            r#"{"n": 3.5}"#,
            r#"{"n": -1}"#,
            r#"{"n": -1.0}"#,
            r#"{"n": 4294967296}"#,
            r#"{"n": 1e300}"#,
            r#"{"n": "3"}"#,
        ] {
            assert!(parse(bad).is_err(), "{bad}");
        }
    }
}
