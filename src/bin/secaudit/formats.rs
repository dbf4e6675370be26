//! The library's output formats as `--format` values: the library names its formats and says
//! what each is; clap, a dependency of the command line only, turns them into choices.

use clap::builder::{PossibleValue, PossibleValuesParser, TypedValueParser};
use secaudit::render::catalog::CatalogFormat;
use secaudit::render::Format;

/// `--format` of a report: json, table, ocsf, html.
pub fn report() -> impl TypedValueParser<Value = Format> {
    let values = Format::ALL.map(|format| PossibleValue::new(format.name()).help(format.help()));
    PossibleValuesParser::new(values).try_map(|name| name.parse::<Format>())
}

/// `--format` of `secaudit checks`: table, json, markdown.
pub fn catalog() -> impl TypedValueParser<Value = CatalogFormat> {
    let values = CatalogFormat::ALL.map(|format| {
        PossibleValue::new(format.name())
            .help(format.help())
            .aliases(format.aliases().iter().copied())
    });
    PossibleValuesParser::new(values).try_map(|name| name.parse::<CatalogFormat>())
}
