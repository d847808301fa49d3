//! One order-preserving parallel map, for the few places where a large
//! build has thousands of independent items (rendering, hashing).

use std::sync::atomic::{AtomicUsize, Ordering};

/// `f` over `items` on every core; results come back in `items`' order, so
/// the output never depends on how the work was split. A panic in `f`
/// resumes in the caller.
///
/// Items are handed out in small batches from a shared counter rather than
/// as one fixed half per thread: rows differ a lot in cost (a host's compose
/// file against a site's vhost), and fixed halves left one core idle while
/// the other finished the expensive end.
pub(crate) fn map<T: Sync, R: Send>(items: &[T], f: impl Fn(&T) -> R + Sync) -> Vec<R> {
    let threads = std::thread::available_parallelism().map_or(1, std::num::NonZero::get).min(items.len());
    if threads <= 1 {
        return items.iter().map(f).collect();
    }
    // Batches small enough to balance, large enough that the counter is cheap.
    let batch = (items.len() / (threads * 16)).clamp(1, 64);
    let next = AtomicUsize::new(0);
    let mut parts: Vec<(usize, Vec<R>)> = std::thread::scope(|scope| {
        let (f, next) = (&f, &next);
        let worker = move || {
            let mut done = Vec::new();
            loop {
                let start = next.fetch_add(batch, Ordering::Relaxed);
                if start >= items.len() {
                    return done;
                }
                let end = (start + batch).min(items.len());
                done.push((start, items[start..end].iter().map(f).collect::<Vec<R>>()));
            }
        };
        let workers: Vec<_> = (1..threads).map(|_| scope.spawn(worker)).collect();
        let mut all = worker();
        for w in workers {
            all.extend(w.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic)));
        }
        all
    });
    parts.sort_unstable_by_key(|(start, _)| *start);
    parts.into_iter().flat_map(|(_, part)| part).collect()
}

#[cfg(test)]
mod tests {
    #[test]
    fn keeps_the_order_of_the_items() {
        let items: Vec<u32> = (0..1000).collect();
        assert_eq!(super::map(&items, |n| n * 2), items.iter().map(|n| n * 2).collect::<Vec<_>>());
        assert!(super::map(&[] as &[u32], |n| *n).is_empty());
        assert_eq!(super::map(&[7u32], |n| n + 1), vec![8]);
    }
}
