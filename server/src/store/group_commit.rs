//! [`WriteQueue`]: group commit. A writer hands its change to the queue and waits; the changes
//! that arrive while a transaction runs wait together and go into the next one, which the
//! engine writes in one transaction: one lock taken, one commit (one `fsync` of SQLite's WAL,
//! one round of PostgreSQL's lock and commit) for the whole batch. Each change is still planned
//! by core on its own, against the rows as the changes before it in the batch left them, so a
//! batch gives every change exactly the answer it would get alone in that order; a change
//! core refuses writes nothing and does not disturb the others. No change is answered before
//! the batch's commit returned, so an acknowledged write is as durable as before.
//!
//! A batch starts as soon as the one before it committed, so under a light load a batch holds
//! one change and nothing waits for company; under load the batches grow with the queue,
//! which is what keeps a write's wait short when many arrive at once.
//!
//! When a batch fails as a whole (the database refused it), each of its changes is tried again
//! in a transaction of its own, so an error reaches only the change it belongs to.
//!
//! Owns: queueing, batching, running one batch at a time, and answering each writer. Must not:
//! know an engine (a [`BatchWriter`] writes a batch) or decide whether a change may happen.

use std::sync::{Arc, Mutex, MutexGuard};

use mailsetup_core::{Change, Domain, Entry, Timestamp};
use tokio::sync::oneshot;

use super::{RowWrites, StoreError, StoreFuture, StoreResult, WriteOutcome, plan_batch};

/// The most changes one transaction holds: enough for every client of a busy server at once,
/// few enough that a batch's transaction stays short.
pub const MAX_BATCH: usize = 256;

/// One change waiting to be written, with who made it and when.
#[derive(Debug, Clone)]
pub struct QueuedWrite {
    pub change: Change,
    pub actor: String,
    pub now: Timestamp,
}

/// An engine's writer: writes a batch of changes in one transaction.
pub trait BatchWriter: Send + Sync + 'static {
    /// Writes `batch` in order in one transaction and answers one outcome per change, in the
    /// same order; an error means nothing of the batch was written.
    fn write_batch<'a>(&'a self, batch: &'a [QueuedWrite]) -> StoreFuture<'a, Vec<WriteOutcome>>;
}

/// An engine's open write transaction, as [`write_each`] uses it.
pub trait BatchTransaction: Send {
    /// The stored entries of `domains`, as this transaction sees them.
    fn rows_of<'a>(&'a mut self, domains: &'a [&'a Domain]) -> StoreFuture<'a, Vec<Entry>>;
    /// Writes the rows a batch left (not the book's sequence), a statement per kind of row.
    fn write_rows<'a>(&'a mut self, rows: &'a RowWrites) -> StoreFuture<'a, ()>;
    /// Stores the book's sequence, as the last applied change left it.
    fn store_sequence(&mut self, sequence: u64) -> StoreFuture<'_, ()>;
    /// Commits (`true`) or rolls back the transaction.
    fn finish(self, commit: bool) -> StoreFuture<'static, ()>
    where
        Self: Sized;
}

/// Commits (`commit`) or rolls back an engine's transaction: [`BatchTransaction::finish`].
pub async fn finish_transaction<DB: sqlx::Database>(
    transaction: sqlx::Transaction<'static, DB>,
    commit: bool,
) -> StoreResult<()> {
    if commit {
        transaction.commit().await?;
    } else {
        transaction.rollback().await?;
    }
    Ok(())
}

/// An engine's batch once it opened `transaction` (its writers' lock taken) and read the
/// book's `sequence` in it: [`write_each`], then the sequence stored and one commit, or a
/// rollback when core refused every change.
pub async fn write_batch_in<T: BatchTransaction>(
    mut transaction: T,
    sequence: u64,
    batch: &[QueuedWrite],
) -> StoreResult<Vec<WriteOutcome>> {
    let (outcomes, sequence) = write_each(&mut transaction, sequence, batch).await?;
    let applied = outcomes.iter().any(Result::is_ok);
    if applied {
        transaction.store_sequence(sequence).await?;
    }
    transaction.finish(applied).await?;
    Ok(outcomes)
}

/// The middle of every engine's batch: reads the rows of every domain the batch names at
/// once, lets core plan the changes one after the other from the book's `sequence`
/// ([`plan_batch`]), and writes what they leave in a few statements, however many changes
/// the batch holds. Answers the outcomes in order and the sequence after the last applied
/// change.
pub async fn write_each<T: BatchTransaction>(
    transaction: &mut T,
    sequence: u64,
    batch: &[QueuedWrite],
) -> StoreResult<(Vec<WriteOutcome>, u64)> {
    let mut domains: Vec<&Domain> = batch
        .iter()
        .flat_map(|write| write.change.domains())
        .collect();
    domains.sort_unstable();
    domains.dedup();
    let rows = transaction.rows_of(&domains).await?;
    let planned = plan_batch(sequence, rows, batch)?;
    if !planned.rows.is_empty() {
        transaction.write_rows(&planned.rows).await?;
    }
    Ok((planned.outcomes, planned.sequence))
}

/// The queue of changes waiting for an engine's writer.
pub struct WriteQueue<W: BatchWriter> {
    shared: Arc<Shared<W>>,
}

struct Shared<W> {
    writer: W,
    queue: Mutex<Queue>,
}

#[derive(Default)]
struct Queue {
    waiting: Vec<Waiting>,
    /// Whether a task is writing batches (it takes the waiting ones until none is left).
    draining: bool,
}

struct Waiting {
    write: QueuedWrite,
    answer: oneshot::Sender<StoreResult<WriteOutcome>>,
}

impl<W: BatchWriter> WriteQueue<W> {
    pub fn new(writer: W) -> WriteQueue<W> {
        WriteQueue {
            shared: Arc::new(Shared {
                writer,
                queue: Mutex::new(Queue::default()),
            }),
        }
    }

    /// Writes `write` in the next batch and answers what it did once that batch committed.
    ///
    /// The batch runs in a task of its own, so a writer that stops waiting (its client went
    /// away) neither cancels the batch nor the other changes in it.
    pub async fn write(&self, write: QueuedWrite) -> StoreResult<WriteOutcome> {
        let (answer, answered) = oneshot::channel();
        let start_draining = {
            let mut queue = lock(&self.shared.queue);
            queue.waiting.push(Waiting { write, answer });
            !std::mem::replace(&mut queue.draining, true)
        };
        if start_draining {
            tokio::spawn(drain(Arc::clone(&self.shared)));
        }
        answered.await.map_err(|_| StoreError::WriterStopped)?
    }
}

/// Writes batches until no change is waiting.
async fn drain<W: BatchWriter>(shared: Arc<Shared<W>>) {
    let _stopped = StopDraining(&shared.queue);
    loop {
        let batch: Vec<Waiting> = {
            let mut queue = lock(&shared.queue);
            if queue.waiting.is_empty() {
                queue.draining = false;
                return;
            }
            let take = queue.waiting.len().min(MAX_BATCH);
            queue.waiting.drain(..take).collect()
        };
        write_and_answer(&shared.writer, batch).await;
    }
}

/// Writes `batch` in one transaction and answers every change of it; when the batch fails as a
/// whole, each change alone.
async fn write_and_answer<W: BatchWriter>(writer: &W, batch: Vec<Waiting>) {
    let (writes, answers): (Vec<QueuedWrite>, Vec<_>) = batch
        .into_iter()
        .map(|waiting| (waiting.write, waiting.answer))
        .unzip();
    match writer.write_batch(&writes).await {
        Ok(outcomes) if outcomes.len() == writes.len() => {
            for (answer, outcome) in answers.into_iter().zip(outcomes) {
                // A writer that stopped waiting has nobody to tell.
                let _ = answer.send(Ok(outcome));
            }
        }
        Ok(outcomes) => {
            let error = StoreError::BatchMismatch {
                sent: writes.len(),
                answered: outcomes.len(),
            };
            tracing::error!(%error, "a batch of writes was answered wrongly");
            for answer in answers {
                let _ = answer.send(Err(StoreError::WriterStopped));
            }
        }
        Err(error) if writes.len() == 1 => {
            if let Some(answer) = answers.into_iter().next() {
                let _ = answer.send(Err(error));
            }
        }
        Err(error) => {
            tracing::warn!(%error, changes = writes.len(), "a batch of writes failed; writing each alone");
            for (write, answer) in writes.into_iter().zip(answers) {
                let alone = std::slice::from_ref(&write);
                let outcome = writer.write_batch(alone).await.and_then(|mut outcomes| {
                    outcomes.pop().ok_or(StoreError::BatchMismatch {
                        sent: 1,
                        answered: 0,
                    })
                });
                let _ = answer.send(outcome);
            }
        }
    }
}

/// Leaves the queue ready for the next writer if the draining task ends without emptying it (a
/// panic in an engine): the changes still waiting are answered with an error, not left
/// waiting for ever.
struct StopDraining<'a>(&'a Mutex<Queue>);

impl Drop for StopDraining<'_> {
    fn drop(&mut self) {
        if std::thread::panicking() {
            let mut queue = lock(self.0);
            queue.draining = false;
            // Dropping the answers tells their writers the writer stopped.
            queue.waiting.clear();
        }
    }
}

fn lock(queue: &Mutex<Queue>) -> MutexGuard<'_, Queue> {
    // The queue is consistent between any two statements, so a poisoned lock is still usable.
    queue
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

#[cfg(test)]
mod tests {
    use super::*;
    use mailsetup_core::{Applied, ChangeAction, Domain};
    use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
    use std::time::Duration;

    /// Answers each change with a made-up outcome numbered by arrival, records batch sizes,
    /// and can be told to fail batches of more than one change.
    struct Recorder {
        batches: Mutex<Vec<usize>>,
        written: AtomicUsize,
        fail_batches: AtomicBool,
        /// Holds the first batch until released, so the next changes queue behind it.
        gate: tokio::sync::Semaphore,
    }

    impl Default for Recorder {
        fn default() -> Recorder {
            Recorder {
                batches: Mutex::default(),
                written: AtomicUsize::default(),
                fail_batches: AtomicBool::default(),
                gate: tokio::sync::Semaphore::new(0),
            }
        }
    }

    fn removal(name: &str) -> QueuedWrite {
        QueuedWrite {
            change: Change::Remove {
                domain: Domain::parse(name).expect("a domain"),
                expected_revision: 1,
            },
            actor: "tester".into(),
            now: Timestamp::from_unix_ms(0),
        }
    }

    impl BatchWriter for Arc<Recorder> {
        fn write_batch<'a>(
            &'a self,
            batch: &'a [QueuedWrite],
        ) -> StoreFuture<'a, Vec<WriteOutcome>> {
            Box::pin(async move {
                let permit = self.gate.acquire().await.expect("the gate stays open");
                permit.forget();
                self.gate.add_permits(1);
                lock_batches(&self.batches).push(batch.len());
                if batch.len() > 1 && self.fail_batches.load(Ordering::SeqCst) {
                    return Err(StoreError::Corrupt {
                        key: "batch".into(),
                        reason: "refused for the test".into(),
                    });
                }
                let mut outcomes: Vec<WriteOutcome> = Vec::new();
                for write in batch {
                    let sequence = self.written.fetch_add(1, Ordering::SeqCst) as u64 + 1;
                    outcomes.push(Ok(Applied {
                        action: ChangeAction::Removed,
                        domain: write.change.domains()[0].clone(),
                        previous_domain: None,
                        entry: None,
                        sequence,
                        restored_from: None,
                    }));
                }
                Ok(outcomes)
            })
        }
    }

    fn lock_batches(batches: &Mutex<Vec<usize>>) -> MutexGuard<'_, Vec<usize>> {
        batches.lock().expect("not poisoned")
    }

    fn first_batch_taken(queue: &WriteQueue<Arc<Recorder>>) -> bool {
        let queue = lock(&queue.shared.queue);
        queue.draining && queue.waiting.is_empty()
    }

    async fn queued_behind_a_held_batch(
        recorder: &Arc<Recorder>,
        count: usize,
    ) -> Vec<tokio::task::JoinHandle<StoreResult<WriteOutcome>>> {
        let queue = Arc::new(WriteQueue::new(Arc::clone(recorder)));
        let mut writers = Vec::new();
        // The first change starts a batch that waits at the closed gate.
        let first = Arc::clone(&queue);
        writers.push(tokio::spawn(async move {
            first.write(removal("a0.example")).await
        }));
        // Wait until the first batch was taken from the queue: it is now held at the gate.
        while !first_batch_taken(&queue) {
            tokio::task::yield_now().await;
        }
        for index in 1..count {
            let queue = Arc::clone(&queue);
            writers.push(tokio::spawn(async move {
                queue.write(removal(&format!("a{index}.example"))).await
            }));
        }
        // Every later change is waiting before the gate opens.
        while lock(&queue.shared.queue).waiting.len() < count - 1 {
            tokio::task::yield_now().await;
        }
        recorder.gate.add_permits(1);
        writers
    }

    #[tokio::test]
    async fn changes_that_arrive_during_a_transaction_share_the_next() {
        let recorder = Arc::new(Recorder::default());
        let writers = queued_behind_a_held_batch(&recorder, 10).await;
        let mut sequences = Vec::new();
        for writer in writers {
            let applied = writer
                .await
                .expect("joined")
                .expect("written")
                .expect("applied");
            sequences.push(applied.sequence);
        }
        // The first alone, the nine that waited behind it in one transaction.
        assert_eq!(*lock_batches(&recorder.batches), vec![1, 9]);
        sequences.sort_unstable();
        assert_eq!(sequences, (1..=10).collect::<Vec<u64>>());
    }

    #[tokio::test]
    async fn a_failed_batch_is_written_change_by_change() {
        let recorder = Arc::new(Recorder::default());
        recorder.fail_batches.store(true, Ordering::SeqCst);
        let writers = queued_behind_a_held_batch(&recorder, 4).await;
        for writer in writers {
            assert!(writer.await.expect("joined").expect("written").is_ok());
        }
        // The first alone; the batch of three fails and each of the three goes alone.
        assert_eq!(*lock_batches(&recorder.batches), vec![1, 3, 1, 1, 1]);
    }

    #[tokio::test]
    async fn a_lone_change_waits_for_nobody() {
        let recorder = Arc::new(Recorder::default());
        recorder.gate.add_permits(1);
        let queue = WriteQueue::new(Arc::clone(&recorder));
        let outcome =
            tokio::time::timeout(Duration::from_secs(5), queue.write(removal("b.example")))
                .await
                .expect("answered at once");
        assert!(outcome.expect("written").is_ok());
        assert_eq!(*lock_batches(&recorder.batches), vec![1]);
    }
}
