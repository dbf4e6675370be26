//! Fitting a message into SNS: its size limit and the search for how many findings fit.

/// SNS's limit is 262,144 bytes for the message and its attributes together; keep a margin
/// for the attributes and the subject.
pub const MAX_MESSAGE_BYTES: usize = 256 * 1024 - 6 * 1024;
/// SNS subjects must be shorter than 100 characters.
const MAX_SUBJECT_CHARS: usize = 99;

/// The largest `listed` in `0..=max` whose `message(listed)` is at most `max_bytes` long (0 if
/// none is): a binary search, since a message grows with the findings it lists.
pub fn largest_fitting(max: usize, max_bytes: usize, message: impl Fn(usize) -> String) -> usize {
    let (mut fits, mut too_many) = (0, max + 1);
    while fits + 1 < too_many {
        let middle = (fits + too_many) / 2;
        if message(middle).len() <= max_bytes {
            fits = middle;
        } else {
            too_many = middle;
        }
    }
    fits
}

/// A subject SNS accepts: cut to its length limit.
pub fn subject(mut text: String) -> String {
    text.truncate(MAX_SUBJECT_CHARS);
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_largest_count_that_fits_is_found() {
        let message = |n: usize| "x".repeat(10 * n + 5);
        assert_eq!(largest_fitting(100, 55, message), 5);
        assert_eq!(largest_fitting(3, 1_000, message), 3);
        assert_eq!(largest_fitting(100, 4, message), 0);
        assert_eq!(largest_fitting(0, 1_000, message), 0);
    }
}
