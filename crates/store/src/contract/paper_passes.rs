//! Paper passes: the current print is kept while valid; reprints count up.

use super::{all, someone, t};
use crate::{PaperPassPrint, PaperPassRecord, Store, StoreResult};
use std::future::Future;
use std::pin::Pin;

type Printing<'a> = Pin<Box<dyn Future<Output = StoreResult<PaperPassRecord>> + Send + 'a>>;

fn window(from: i64, until: i64) -> PaperPassPrint {
    PaperPassPrint { valid_from: t(from), valid_until: t(until), printed_at: t(from) }
}

pub async fn paper_passes_are_kept_while_valid_and_reprints_count_up(store: &dyn Store) {
    let holder = someone(store, 120).await;
    let other = someone(store, 121).await;
    assert_eq!(store.paper_pass(holder.id).await.unwrap(), None);

    // Concurrent first views print once.
    let first = window(0, 1000);
    let views =
        (0..4).map(|_| Box::pin(store.current_paper_pass(holder.id, &first, t(0))) as Printing<'_>).collect::<Vec<_>>();
    let views = all(views).await;
    for view in &views {
        let view = view.as_ref().unwrap();
        assert_eq!((view.print, view.valid_from, view.valid_until), (1, t(0), t(1000)));
    }
    // Still valid after the renewal point: kept, the fresh window ignored.
    let kept = store.current_paper_pass(holder.id, &window(500, 1500), t(900)).await.unwrap();
    assert_eq!((kept.print, kept.valid_until), (1, t(1000)));
    // Ending by the renewal point: the next print.
    let renewed = store.current_paper_pass(holder.id, &window(950, 1950), t(1000)).await.unwrap();
    assert_eq!((renewed.print, renewed.valid_from, renewed.valid_until), (2, t(950), t(1950)));

    // Concurrent reprints each get their own number; the last is current.
    let fresh: Vec<_> = (0..3).map(|i| window(960 + i, 1960)).collect();
    let reprints =
        fresh.iter().map(|w| Box::pin(store.reprint_paper_pass(holder.id, w)) as Printing<'_>).collect::<Vec<_>>();
    let mut numbers: Vec<u32> = all(reprints).await.into_iter().map(|r| r.unwrap().print).collect();
    numbers.sort_unstable();
    assert_eq!(numbers, vec![3, 4, 5]);
    assert_eq!(store.paper_pass(holder.id).await.unwrap().map(|p| p.print), Some(5));

    // The other resident's first print is not a reprint.
    store.current_paper_pass(other.id, &window(0, 1000), t(0)).await.unwrap();
    assert_eq!(store.reprinted_paper_passes(t(0)).await.unwrap(), vec![(holder.holder, 5)]);
    assert!(store.reprinted_paper_passes(t(2000)).await.unwrap().is_empty());
}
