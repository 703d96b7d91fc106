//! `check` on fixture repositories: for every check a scenario where it
//! passes and one where it fails, asserted on the JSON report.

mod support;

use support::Fixture;

#[test]
fn good_fix_passes_every_static_check() {
    let fx = Fixture::scenario("good-fix");
    let run = fx.check(&[]);
    run.assert_code(0);
    for id in [
        "clean-tree",
        "version-bump",
        "dependency-specs",
        "lockfile",
        "temporary-patches",
        "changelog",
        "commits",
        "embargo",
    ] {
        run.assert_status(id, "pass");
    }
    run.assert_status("manual", "manual");
    run.assert_detail("version-bump", "crate", "cargo-util", "0.2.4 → 0.2.5");
}

#[test]
#[ignore]
fn show_report() {
    let fx = Fixture::scenario("good-fix");
    let run = fx.run(&["check", "--offline"]);
    println!("{}\n{}", run.stdout, run.stderr);
    let run = fx.run(&["check", "--offline", "--format", "markdown"]);
    println!("{}", run.stdout);
    let run = fx.check(&[]);
    println!("{}", run.stdout);
}
