//! The CVSS vector of an advisory, parsed and scored with the RustSec
//! project's `cvss` crate. That crate accepts v3 vectors that lack base
//! metrics (and scores them 0.0), so the base metrics are checked here.

use std::str::FromStr;

use anyhow::{Result, bail};
use cvss::{Cvss, Severity, v3};

/// A parsed vector with its base score.
#[derive(Clone, Debug, PartialEq)]
pub struct Score {
    pub vector: Cvss,
    pub value: f64,
    pub severity: Severity,
}

impl Score {
    /// `CVSS_V3` or `CVSS_V4`, as OSV names the kind of score.
    pub fn osv_type(&self) -> &'static str {
        match self.vector {
            Cvss::CvssV40(_) => "CVSS_V4",
            _ => "CVSS_V3",
        }
    }

    pub fn is_v4(&self) -> bool {
        matches!(self.vector, Cvss::CvssV40(_))
    }

    /// "9.8 critical"
    pub fn label(&self) -> String {
        format!("{:.1} {}", self.value, self.severity.as_str())
    }
}

/// Parses `--cvss` (3.0, 3.1 or 4.0); the error names the bad metric.
pub fn parse(text: &str) -> Result<Score> {
    let text = text.trim();
    if !text.starts_with("CVSS:") {
        bail!(
            "invalid CVSS vector `{text}`: it must start with `CVSS:3.1/` or `CVSS:4.0/` \
             (CVSS 2.0 vectors are not accepted by RustSec or GitHub)"
        );
    }
    let vector =
        Cvss::from_str(text).map_err(|e| anyhow::anyhow!("invalid CVSS vector `{text}`: {e}"))?;
    match &vector {
        Cvss::CvssV30(v) | Cvss::CvssV31(v) => check_v3_base(v)
            .map_err(|missing| anyhow::anyhow!("invalid CVSS vector `{text}`: {missing}"))?,
        Cvss::CvssV40(_) => {}
        _ => bail!("invalid CVSS vector `{text}`: only CVSS 3.0, 3.1 and 4.0 are accepted"),
    }
    Ok(Score {
        value: vector.score(),
        severity: vector.severity(),
        vector,
    })
}

/// `Err("missing base metric(s): A (Availability Impact)")` when a base
/// metric is absent.
fn check_v3_base(v: &v3::Vector) -> Result<(), String> {
    use v3::MetricType::*;
    let have: Vec<v3::MetricType> = v.metrics().map(|(t, _)| t).collect();
    let missing: Vec<String> = [AV, AC, PR, UI, S, C, I, A]
        .into_iter()
        .filter(|t| !have.contains(t))
        .map(|t| format!("{} ({})", t.name(), t.description()))
        .collect();
    if missing.is_empty() {
        Ok(())
    } else {
        Err(format!("missing base metric(s): {}", missing.join(", ")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn published_scores() {
        // The scores stated in the advisories these vectors come from.
        for (vector, score, severity) in [
            (
                "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H",
                10.0,
                "critical",
            ),
            (
                "CVSS:3.1/AV:N/AC:L/PR:H/UI:N/S:U/C:N/I:H/A:N",
                4.9,
                "medium",
            ),
            ("CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:H/I:H/A:H", 8.1, "high"),
            (
                "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:P/VC:N/VI:N/VA:H/SC:N/SI:N/SA:N",
                7.1,
                "high",
            ),
        ] {
            let s = parse(vector).unwrap();
            assert_eq!(format!("{:.1}", s.value), format!("{score:.1}"), "{vector}");
            assert_eq!(s.severity.as_str(), severity, "{vector}");
            assert_eq!(s.vector.to_string(), vector);
        }
        assert_eq!(
            parse("CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:P/VC:N/VI:N/VA:H/SC:N/SI:N/SA:N")
                .unwrap()
                .osv_type(),
            "CVSS_V4"
        );
    }

    #[test]
    fn errors_name_the_metric() {
        let e = parse("CVSS:3.1/AV:X/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H")
            .unwrap_err()
            .to_string();
        assert!(e.contains("AV (Attack Vector)") && e.contains("`X`"), "{e}");
        let e = parse("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H")
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("missing base metric(s): A (Availability Impact)"),
            "{e}"
        );
        let e = parse("CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/SC:N/SI:N/SA:N")
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("VA (Availability Impact to the Vulnerable System)"),
            "{e}"
        );
        let e = parse("AV:N/AC:L/Au:N/C:P/I:P/A:P").unwrap_err().to_string();
        assert!(e.contains("must start with `CVSS:3.1/`"), "{e}");
        let e = parse("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/")
            .unwrap_err()
            .to_string();
        assert!(e.starts_with("invalid CVSS vector"), "{e}");
    }
}
