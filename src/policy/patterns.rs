//! IAM's pattern matching: action globs and resource wildcards.

/// Whether an action pattern matches every action of every service. IAM matches the service
/// prefix and the action name as globs, so `*`, `*:*` and `**:*` are all the same grant.
pub fn covers_every_action(pattern: &str) -> bool {
    let all_stars = |text: &str| !text.is_empty() && text.chars().all(|c| c == '*');
    let pattern = pattern.trim();
    all_stars(pattern)
        || pattern
            .split_once(':')
            .is_some_and(|(service, action)| all_stars(service) && all_stars(action))
}

/// Whether an action pattern matches every action of `service` (`s3:*`, `S3:**`, `*:*`, `*`).
/// Service prefixes are case-insensitive.
pub(super) fn covers_every_action_of(pattern: &str, service: &str) -> bool {
    let pattern = pattern.trim();
    covers_every_action(pattern)
        || pattern.split_once(':').is_some_and(|(prefix, action)| {
            wildcard_matches_ignoring_case(prefix, service)
                && !action.is_empty()
                && action.chars().all(|c| c == '*')
        })
}

/// Whether a resource pattern matches every resource: `*`, or `arn:` followed only by
/// wildcards and colons (`arn:*`, `arn:*:*:*:*:*`).
pub(super) fn covers_every_resource(pattern: &str) -> bool {
    let pattern = pattern.trim();
    (!pattern.is_empty() && pattern.chars().all(|c| c == '*'))
        || pattern
            .strip_prefix("arn:")
            .is_some_and(|rest| rest.contains('*') && rest.chars().all(|c| c == '*' || c == ':'))
}

/// IAM's wildcards in a resource pattern: `*` any run of characters, `?` any one.
pub(crate) fn wildcard_matches(pattern: &str, text: &str) -> bool {
    glob(pattern.trim(), text, false)
}

/// As [`wildcard_matches`], ignoring ASCII case (action names: IAM matches them so).
pub(crate) fn wildcard_matches_ignoring_case(pattern: &str, text: &str) -> bool {
    glob(pattern.trim(), text, true)
}

/// Classic two-pointer glob match with backtracking to the last `*`, without allocating: on
/// bytes when both are ASCII (every IAM action and nearly every ARN), else on characters.
fn glob(pattern: &str, text: &str, ignore_case: bool) -> bool {
    if pattern.is_ascii() && text.is_ascii() {
        let same = |a: u8, b: u8| a == b || (ignore_case && a.eq_ignore_ascii_case(&b));
        glob_on(pattern.as_bytes(), text.as_bytes(), b'*', b'?', same)
    } else {
        let (pattern, text): (Vec<char>, Vec<char>) =
            (pattern.chars().collect(), text.chars().collect());
        let same = |a: char, b: char| a == b || (ignore_case && a.eq_ignore_ascii_case(&b));
        glob_on(&pattern, &text, '*', '?', same)
    }
}

fn glob_on<T: Copy + PartialEq>(
    pattern: &[T],
    text: &[T],
    any_run: T,
    any_one: T,
    same: impl Fn(T, T) -> bool,
) -> bool {
    let (mut p, mut t, mut star, mut mark) = (0, 0, None, 0);
    while t < text.len() {
        if p < pattern.len() && (pattern[p] == any_one || same(pattern[p], text[t])) {
            p += 1;
            t += 1;
        } else if p < pattern.len() && pattern[p] == any_run {
            star = Some(p);
            mark = t;
            p += 1;
        } else if let Some(s) = star {
            p = s + 1;
            mark += 1;
            t = mark;
        } else {
            return false;
        }
    }
    pattern[p..].iter().all(|c| *c == any_run)
}

/// `pattern` with each `${name}` replaced by its value in `variables`; `None` when it names
/// a variable without a value.
pub(super) fn substitute_variables<'p>(
    pattern: &'p str,
    variables: &[(&str, &str)],
) -> Option<std::borrow::Cow<'p, str>> {
    if !pattern.contains("${") {
        return Some(std::borrow::Cow::Borrowed(pattern));
    }
    let mut out = String::with_capacity(pattern.len());
    let mut rest = pattern;
    while let Some(start) = rest.find("${") {
        out.push_str(&rest[..start]);
        let end = rest[start..].find('}')? + start;
        let name = rest[start + 2..end].to_ascii_lowercase();
        let (_, value) = variables.iter().find(|(known, _)| *known == name)?;
        out.push_str(value);
        rest = &rest[end + 1..];
    }
    out.push_str(rest);
    Some(std::borrow::Cow::Owned(out))
}
