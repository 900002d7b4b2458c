//! `helm template` of a 30-template chart (named templates, `include | nindent`,
//! `range` over maps, `toYaml`, a subchart's worth of services), natively.
//!
//! `cargo bench --bench helm_render`

use criterion::{Criterion, criterion_group, criterion_main};
use simulator::helm::bench_chart::{CHART_DIR, chart};
use simulator::helm::render::{Options, template};

fn bench(c: &mut Criterion) {
    let files = chart();
    let templates = files.keys().filter(|k| k.starts_with("shop/templates/")).count();
    assert_eq!(templates, 30, "the chart has 30 templates");
    let opts = Options::new("shop", "prod");
    let out = template(&files, CHART_DIR, &opts).expect("the chart renders");
    assert_eq!(out.manifests.len(), 29);
    c.bench_function("helm template (30 templates)", |b| b.iter(|| template(&files, CHART_DIR, &opts).unwrap()));
}

criterion_group!(benches, bench);
criterion_main!(benches);
