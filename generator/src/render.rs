//! The one path from tokens to text: syn parses, prettyplease prints.
//!
//! The CLI, `apigen check`, the library API and the snapshot tests all get
//! their Rust text from [`rust_file`], so what is checked is what is written.

use std::collections::BTreeMap;

use proc_macro2::TokenStream;

use crate::diag::{Diagnostic, Error};
use crate::shapes::Shapes;

pub use crate::provenance::Provenance;

/// Produces the tokens of one chunk of a file. Chunks are produced and
/// rendered on worker threads, so they capture only shared references to
/// the model (token streams themselves cannot cross threads).
pub type Chunk<'a> = Box<dyn Fn() -> TokenStream + Send + Sync + 'a>;

/// How a file's chunks are put together.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layout {
    /// Each chunk is a run of items, printed after the head in order.
    Items,
    /// Each chunk is a run of associated items of one inherent `impl` block
    /// of the named type, which follows the head.
    Impl(&'static str),
}

/// A Rust file as emitters produce it: the head (inner docs, `use`s) and
/// the items, in chunks. Chunks are produced, parsed and printed one at a
/// time and on every core: one big token stream costs syn more than many
/// small ones, and holding one chunk's syntax tree at a time keeps memory
/// flat for large specs. The text is the same as printing the whole file
/// at once.
pub struct RustFile<'a> {
    pub head: Chunk<'a>,
    pub chunks: Vec<Chunk<'a>>,
    /// By index of `chunks`, the chunk's family, if it has one: chunks of
    /// a family make items of the same shapes (string enums of as many
    /// values, say), and a family's items repeat shapes of other families
    /// too. Their shapes are printed from a template the first time
    /// (`crate::shapes`), and a small spec's chunks of a family
    /// are all rendered by one thread, which parses those shapes once.
    /// The number only tells families apart; chunks past its end have none.
    pub families: Vec<Option<u64>>,
    pub layout: Layout,
}

impl<'a> RustFile<'a> {
    /// A file of items.
    pub fn items(head: Chunk<'a>, chunks: Vec<Chunk<'a>>) -> Self {
        RustFile {
            head,
            chunks,
            families: Vec::new(),
            layout: Layout::Items,
        }
    }

    /// A file whose items are one `impl` block of `self_ty`, after the head.
    pub fn inherent_impl(head: Chunk<'a>, self_ty: &'static str, chunks: Vec<Chunk<'a>>) -> Self {
        RustFile {
            head,
            chunks,
            families: Vec::new(),
            layout: Layout::Impl(self_ty),
        }
    }

    /// The file, with the families of its chunks ([`RustFile::families`]).
    pub fn with_families(self, families: Vec<Option<u64>>) -> Self {
        RustFile { families, ..self }
    }

    fn family(&self, chunk: usize) -> Option<u64> {
        self.families.get(chunk).copied().flatten()
    }

    /// Everything as one token stream, for nesting in a module file.
    pub fn tokens(&self) -> TokenStream {
        let head = (self.head)();
        let chunks = self.chunks.iter().map(|chunk| chunk());
        match self.layout {
            Layout::Items => quote::quote! { #head #(#chunks)* },
            Layout::Impl(self_ty) => {
                let self_ty = proc_macro2::Ident::new(self_ty, proc_macro2::Span::call_site());
                quote::quote! { #head impl #self_ty { #(#chunks)* } }
            }
        }
    }
}

impl std::fmt::Debug for RustFile<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RustFile")
            .field("chunks", &self.chunks.len())
            .field("layout", &self.layout)
            .finish_non_exhaustive()
    }
}

/// Chunks rendered by one job of [`rust_files`], at most: each job's
/// result wakes the thread that joins them, and a large spec has tens of
/// thousands of chunks.
const MAX_CHUNKS_PER_JOB: usize = 32;

/// Jobs per thread a file's chunks are cut into, at least (when it has
/// enough chunks), so that the threads finish together.
const JOBS_PER_THREAD: usize = 8;

/// Below this many jobs, the calling thread renders too, with one thread
/// fewer started ([`parallel_for_each`]); from it on, it only hands the
/// results over. With the system allocator (a library's user may have
/// no other), a calling thread that renders a large spec made rendering
/// synth-10000 a quarter slower; a small spec gains a millisecond.
const CALLER_WORKS_BELOW: usize = 256;

/// How many chunks of a file of `chunks` one job renders on `threads`.
fn chunks_per_job(chunks: usize, threads: usize) -> usize {
    (chunks / threads.max(1) / JOBS_PER_THREAD).clamp(1, MAX_CHUNKS_PER_JOB)
}

/// One unit of rendering work, producing a piece of one file's text.
enum Job {
    /// The head of a file.
    Head(usize),
    /// A run of chunks of a file.
    Chunks(usize, std::ops::Range<usize>),
    /// Chunks of a file, by index, whose texts are put in place once the
    /// file's jobs are all done: a small spec's chunks, grouped by family
    /// ([`grouped_jobs`]).
    Picked(usize, Vec<usize>),
    /// A file printed at once: an `impl` layout without chunks, or one
    /// whose chunks could not be printed apart.
    Whole(usize),
}

impl Job {
    fn file(&self) -> usize {
        match self {
            Job::Head(index)
            | Job::Chunks(index, _)
            | Job::Picked(index, _)
            | Job::Whole(index) => *index,
        }
    }
}

/// Renders files, with the provenance header, on every available core.
/// The output does not depend on the number of threads: each piece of text
/// is printed from its own tokens and the pieces are joined in order.
pub fn rust_files(
    provenance: &Provenance,
    files: &[(&str, RustFile<'_>)],
) -> Result<Vec<String>, Error> {
    let threads = std::thread::available_parallelism().map_or(1, usize::from);
    rust_files_on(threads, provenance, files)
}

fn rust_files_on(
    threads: usize,
    provenance: &Provenance,
    files: &[(&str, RustFile<'_>)],
) -> Result<Vec<String>, Error> {
    let mut jobs = streamed_jobs(files, threads);
    let caller_works = jobs.len() < CALLER_WORKS_BELOW;
    let grouped = caller_works && files.iter().any(|(_, file)| !file.families.is_empty());
    if grouped {
        jobs = grouped_jobs(files, threads);
    }
    // `None`: a chunk of an `impl` layout that cannot be printed apart.
    let run = |shapes: &mut Shapes, job: &Job| -> Result<Option<Piece>, Error> {
        let (name, file) = file_at(files, job.file())?;
        let chunk_text = |shapes: &mut Shapes, index: usize| -> Result<Option<String>, Error> {
            let Some(chunk) = file.chunks.get(index) else {
                return Err(internal(
                    "a rendering job names a chunk that does not exist",
                ));
            };
            match file.layout {
                Layout::Items => {
                    let repeating = file.family(index).is_some();
                    print(shapes, name, chunk(), repeating).map(Some)
                }
                Layout::Impl(self_ty) => print_member(shapes, name, self_ty, chunk()),
            }
        };
        match job {
            Job::Head(_) => print(shapes, name, (file.head)(), false).map(|t| Some(Piece::Text(t))),
            Job::Chunks(_, range) => {
                let mut text = String::new();
                for index in range.clone() {
                    match chunk_text(shapes, index)? {
                        Some(piece) => text.push_str(&piece),
                        None => return Ok(None),
                    }
                }
                Ok(Some(Piece::Text(text)))
            }
            Job::Picked(_, indices) => {
                let mut texts = Vec::with_capacity(indices.len());
                for &index in indices {
                    match chunk_text(shapes, index)? {
                        Some(text) => texts.push(text),
                        None => return Ok(None),
                    }
                }
                Ok(Some(Piece::Parts(texts)))
            }
            Job::Whole(_) => print_impl_file(name, file).map(|t| Some(Piece::Text(t))),
        }
    };
    let header = provenance.rust_comment();
    let mut texts: Vec<Option<String>> = files
        .iter()
        .map(|_| {
            let mut text = header.clone();
            text.push('\n');
            Some(text)
        })
        .collect();
    // The texts of picked chunks, by file and chunk, until all are in.
    let mut parked: Vec<Vec<Option<String>>> = files.iter().map(|_| Vec::new()).collect();
    // Pieces are appended as soon as those before them are: the pieces
    // and the texts they make are never all in memory at once.
    let append = |job: &Job, piece: Option<Piece>| {
        let index = job.file();
        let (Some(slot), Some(parked), Some((_, file))) = (
            texts.get_mut(index),
            parked.get_mut(index),
            files.get(index),
        ) else {
            return;
        };
        let (Some(text), Some(piece)) = (slot.as_mut(), piece) else {
            *slot = None;
            return;
        };
        let piece = match (job, piece) {
            (Job::Picked(_, indices), Piece::Parts(parts)) => {
                parked.resize_with(file.chunks.len(), || None);
                for (&chunk, part) in indices.iter().zip(parts) {
                    if let Some(place) = parked.get_mut(chunk) {
                        *place = Some(part);
                    }
                }
                return;
            }
            (_, Piece::Parts(_)) => return,
            (_, Piece::Text(piece)) => piece,
        };
        if let Job::Chunks(_, range) = job {
            if range.start == 0 {
                text.reserve(estimated_size(piece.len(), range.len(), file.chunks.len()));
            }
        }
        text.push_str(&piece);
        if let (Job::Head(_), Layout::Impl(self_ty)) = (job, file.layout) {
            text.push_str(&format!("impl {self_ty} {{\n"));
        }
    };
    parallel_for_each(threads, caller_works, &jobs, Shapes::default, run, append)?;
    let mut out = Vec::with_capacity(files.len());
    for ((text, parked), (name, file)) in texts.into_iter().zip(parked).zip(files) {
        let text = match text {
            Some(mut text) if !parked.is_empty() => {
                text.reserve(parked.iter().flatten().map(String::len).sum());
                for part in parked {
                    text.push_str(&part.ok_or_else(|| internal("a chunk was not rendered"))?);
                }
                Some(text)
            }
            text => text,
        };
        let text = match (text, file.layout) {
            (Some(text), Layout::Items) => text,
            // Close the block opened after the head.
            (Some(mut text), Layout::Impl(_)) if !file.chunks.is_empty() => {
                text.push_str("}\n");
                text
            }
            (Some(text), Layout::Impl(_)) => text,
            (None, _) => {
                let mut text = header.clone();
                text.push('\n');
                text.push_str(&print_impl_file(name, file)?);
                text
            }
        };
        out.push(text);
    }
    Ok(out)
}

/// What a job renders: a piece of its file's text, or the texts of the
/// chunks it picked, in its order.
enum Piece {
    Text(String),
    Parts(Vec<String>),
}

/// The job of a file's head; or `None`, with the job of the whole file
/// pushed onto `jobs`, for an `impl` layout without chunks, which is
/// printed at once.
fn head_job(index: usize, file: &RustFile<'_>, jobs: &mut Vec<Job>) -> Option<Job> {
    if matches!(file.layout, Layout::Impl(_)) && file.chunks.is_empty() {
        jobs.push(Job::Whole(index));
        return None;
    }
    Some(Job::Head(index))
}

/// The jobs of a file's text made in order: its head, then runs of its
/// chunks, each appended when those before it are.
fn streamed_jobs(files: &[(&str, RustFile<'_>)], threads: usize) -> Vec<Job> {
    let mut jobs = Vec::new();
    for (index, (_, file)) in files.iter().enumerate() {
        let Some(head) = head_job(index, file, &mut jobs) else {
            continue;
        };
        jobs.push(head);
        let per_job = chunks_per_job(file.chunks.len(), threads);
        let mut start = 0;
        while start < file.chunks.len() {
            let end = file.chunks.len().min(start + per_job);
            jobs.push(Job::Chunks(index, start..end));
            start = end;
        }
    }
    jobs
}

/// A small spec's jobs, with the chunks of each family in one job, so that
/// one thread parses their shapes (each thread has a cache of its own):
/// the families first, largest first, then the heads and runs of the
/// other chunks. Their texts are put in place at the end.
fn grouped_jobs(files: &[(&str, RustFile<'_>)], threads: usize) -> Vec<Job> {
    let mut families: Vec<Job> = Vec::new();
    let mut rest = Vec::new();
    for (index, (_, file)) in files.iter().enumerate() {
        let Some(head) = head_job(index, file, &mut rest) else {
            continue;
        };
        rest.push(head);
        // Each family's chunks, in order.
        let mut by_family: BTreeMap<u64, Vec<usize>> = BTreeMap::new();
        let mut alone = Vec::new();
        for chunk in 0..file.chunks.len() {
            match file.family(chunk) {
                Some(family) => by_family.entry(family).or_default().push(chunk),
                None => alone.push(chunk),
            }
        }
        families.extend(by_family.into_values().map(|list| Job::Picked(index, list)));
        let per_job = chunks_per_job(alone.len(), threads);
        rest.extend(
            alone
                .chunks(per_job)
                .map(|run| Job::Picked(index, run.to_vec())),
        );
    }
    families.sort_by_key(|job| std::cmp::Reverse(picked_len(job)));
    families.extend(rest);
    families
}

fn picked_len(job: &Job) -> usize {
    match job {
        Job::Picked(_, list) => list.len(),
        _ => 0,
    }
}

fn file_at<'f, 'a>(
    files: &'f [(&'f str, RustFile<'a>)],
    index: usize,
) -> Result<(&'f str, &'f RustFile<'a>), Error> {
    files
        .get(index)
        .map(|(name, file)| (*name, file))
        .ok_or_else(|| internal("a rendering job names a file that does not exist"))
}

/// The capacity to reserve for a file's text, from its first run of
/// chunks: the file's size if its chunks print about alike, with some
/// room. Only the text's capacity depends on it, never its contents.
fn estimated_size(first_run: usize, run_chunks: usize, all_chunks: usize) -> usize {
    let per_chunk = first_run / run_chunks.max(1);
    per_chunk.saturating_mul(all_chunks).saturating_mul(5) / 4
}

/// `f` over `jobs` on `threads` threads, handing each result to `consume`
/// on the calling thread in the order of `jobs`, as soon as the results
/// before it are in. With `caller_works`, the calling thread is one of the
/// threads, and hands results over between jobs of its own; otherwise it
/// only hands them over. The first error in that order stops the handing
/// over and is returned. Each thread has a state of its own, made by
/// `state`.
///
/// A calling thread that works saves starting a thread, which allocates
/// from pages it touches for the first time: on the machines measured,
/// that costs more than the work it takes over for a small spec, while the
/// calling thread reuses memory it freed before.
fn parallel_for_each<J: Sync, S, T: Send>(
    threads: usize,
    caller_works: bool,
    jobs: &[J],
    state: impl Fn() -> S + Sync,
    f: impl Fn(&mut S, &J) -> Result<T, Error> + Sync,
    mut consume: impl FnMut(&J, T),
) -> Result<(), Error> {
    let threads = threads.min(jobs.len());
    if threads <= 1 {
        let mut state = state();
        for job in jobs {
            consume(job, f(&mut state, job)?);
        }
        return Ok(());
    }
    let next = std::sync::atomic::AtomicUsize::new(0);
    let take = || {
        let index = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        jobs.get(index).map(|job| (index, job))
    };
    let (f, state, take) = (&f, &state, &take);
    let (sender, receiver) = std::sync::mpsc::channel::<(usize, Result<T, Error>)>();
    // Results that are in but not yet handed over, by job index.
    let mut pending = BTreeMap::new();
    let mut handed = 0;
    let mut outcome = Ok(());
    let mut hand_over = |pending: &mut BTreeMap<usize, Result<T, Error>>| {
        while let Some(result) = pending.remove(&handed) {
            match (result, jobs.get(handed), &outcome) {
                (Ok(value), Some(job), Ok(())) => consume(job, value),
                (Err(e), _, Ok(())) => outcome = Err(e),
                _ => {}
            }
            handed += 1;
        }
    };
    std::thread::scope(|scope| {
        let helpers: Vec<_> = (usize::from(caller_works)..threads)
            .map(|_| {
                let sender = sender.clone();
                scope.spawn(move || {
                    let mut state = state();
                    while let Some((index, job)) = take() {
                        if sender.send((index, f(&mut state, job))).is_err() {
                            return;
                        }
                    }
                })
            })
            .collect();
        drop(sender);
        if caller_works {
            let mut own = state();
            while let Some((index, job)) = take() {
                pending.insert(index, f(&mut own, job));
                pending.extend(receiver.try_iter());
                hand_over(&mut pending);
            }
        }
        // Out of jobs: the helpers' last results. The loop ends when every
        // helper has stopped.
        for (index, result) in receiver {
            pending.insert(index, result);
            hand_over(&mut pending);
        }
        for helper in helpers {
            // A helper that panicked leaves its results out; reported below.
            let _ = helper.join();
        }
    });
    outcome?;
    if handed == jobs.len() {
        Ok(())
    } else {
        Err(internal("a rendering thread stopped early"))
    }
}

fn internal(message: &str) -> Error {
    Diagnostic::error(format!("internal error: {message}"))
        .with_help("this is a bug in apigen; please report it with the spec that triggers it")
        .into()
}

fn parse<T: syn::parse::Parse>(name: &str, tokens: TokenStream) -> Result<T, Error> {
    syn::parse2(tokens).map_err(|e| does_not_parse(name, &e))
}

fn print(
    shapes: &mut Shapes,
    name: &str,
    tokens: TokenStream,
    repeating: bool,
) -> Result<String, Error> {
    shapes
        .print_items(tokens, repeating)
        .map_err(|e| does_not_parse(name, &e))
}

fn does_not_parse(name: &str, e: &syn::Error) -> Error {
    Diagnostic::error(format!(
        "internal error: generated {name} does not parse as Rust: {e}"
    ))
    .with_help("this is a bug in apigen; please report it with the spec that triggers it")
    .into()
}

/// One chunk of an [`Layout::Impl`] file: its items printed inside the
/// block, as they are when the whole file is printed at once. They are
/// printed in a block of their own, whose first and last lines are known;
/// `None` if the printed text does not have them.
fn print_member(
    shapes: &mut Shapes,
    name: &str,
    self_ty: &str,
    tokens: TokenStream,
) -> Result<Option<String>, Error> {
    let ty = proc_macro2::Ident::new(self_ty, proc_macro2::Span::call_site());
    shapes
        .print_members(&ty, tokens)
        .map_err(|e| does_not_parse(name, &e))
}

/// The associated items of an `impl` block, without the block.
struct ImplItems(Vec<syn::ImplItem>);

impl syn::parse::Parse for ImplItems {
    fn parse(input: syn::parse::ParseStream) -> syn::Result<Self> {
        let mut items = Vec::new();
        while !input.is_empty() {
            items.push(input.parse()?);
        }
        Ok(ImplItems(items))
    }
}

/// A file with [`Layout::Impl`]: the head's items, then one `impl` block
/// holding the items of every chunk, printed as one file.
fn print_impl_file(name: &str, file: &RustFile<'_>) -> Result<String, Error> {
    let Layout::Impl(self_ty) = file.layout else {
        return print(&mut Shapes::default(), name, file.tokens(), false);
    };
    let mut syntax: syn::File = parse(name, (file.head)())?;
    let self_ty = proc_macro2::Ident::new(self_ty, proc_macro2::Span::call_site());
    let mut block: syn::ItemImpl = parse(name, quote::quote!(impl #self_ty {}))?;
    for chunk in &file.chunks {
        block.items.extend(parse::<ImplItems>(name, chunk())?.0);
    }
    syntax.items.push(syn::Item::Impl(block));
    Ok(prettyplease::unparse(&syntax))
}

/// Renders a whole Rust file from tokens, with the provenance header.
pub fn rust_file(
    provenance: &Provenance,
    name: &str,
    tokens: TokenStream,
) -> Result<String, Error> {
    let file: syn::File = syn::parse2(tokens).map_err(|e| {
        Diagnostic::error(format!(
            "internal error: generated {name} does not parse as Rust: {e}"
        ))
        .with_help("this is a bug in apigen; please report it with the spec that triggers it")
    })?;
    Ok(format!(
        "{}\n{}",
        provenance.rust_comment(),
        prettyplease::unparse(&file)
    ))
}

/// Renders items without a header, for code shown in documentation.
pub fn rust_snippet(tokens: TokenStream) -> Result<String, Error> {
    let file: syn::File = syn::parse2(tokens).map_err(|e| {
        Diagnostic::error(format!(
            "internal error: a generated example does not parse as Rust: {e}"
        ))
    })?;
    Ok(prettyplease::unparse(&file))
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use quote::{format_ident, quote};

    use super::*;

    fn provenance() -> Provenance {
        Provenance {
            spec: "spec.yaml".to_string(),
            sha256: "0".repeat(64),
            command: "apigen generate".to_string(),
        }
    }

    fn files() -> Vec<(&'static str, RustFile<'static>)> {
        let head = || -> Chunk<'static> {
            Box::new(|| {
                quote! {
                    //! A module.
                    use std::fmt;
                }
            })
        };
        let structs = (0..37)
            .map(|i| -> Chunk<'static> {
                Box::new(move || {
                    let name = format_ident!("Type{i}");
                    quote!(#[derive(Debug)] pub struct #name { pub value: u32 })
                })
            })
            .collect();
        let methods = (0..23)
            .map(|i| -> Chunk<'static> {
                Box::new(move || {
                    let name = format_ident!("method_{i}");
                    quote!(#[doc = " A method."] pub fn #name(&self) -> u32 { #i })
                })
            })
            .collect();
        vec![
            ("types.rs", RustFile::items(head(), structs)),
            (
                "client.rs",
                RustFile::inherent_impl(head(), "Client", methods),
            ),
        ]
    }

    /// [`files`], with families for some of the types' chunks, which
    /// renders a small spec's chunks grouped.
    fn files_in_families() -> Vec<(&'static str, RustFile<'static>)> {
        let mut files = files();
        if let Some((_, types)) = files.first_mut() {
            let families = (0..37).map(|i| (i % 3 != 0).then_some(i % 4)).collect();
            let file =
                std::mem::replace(types, RustFile::items(Box::new(TokenStream::new), vec![]));
            *types = file.with_families(families);
        }
        files
    }

    #[test]
    fn the_text_does_not_depend_on_threads_or_chunking() {
        for files in [files(), files_in_families()] {
            let serial = rust_files_on(1, &provenance(), &files).unwrap();
            for threads in [2, 3, 8] {
                assert_eq!(
                    rust_files_on(threads, &provenance(), &files).unwrap(),
                    serial
                );
            }
            for ((name, file), text) in files.iter().zip(&serial) {
                assert_eq!(
                    &rust_file(&provenance(), name, file.tokens()).unwrap(),
                    text
                );
            }
        }
    }

    #[test]
    fn grouped_jobs_pick_every_chunk_once_and_a_family_in_one_job() {
        let files = files_in_families();
        let jobs = grouped_jobs(&files, 2);
        for (index, (_, file)) in files.iter().enumerate() {
            let mut picked: Vec<usize> = Vec::new();
            for job in &jobs {
                if let Job::Picked(at, list) = job {
                    if *at == index {
                        picked.extend(list);
                        let families: BTreeSet<_> = list.iter().map(|&c| file.family(c)).collect();
                        assert_eq!(families.len(), 1, "one family, or none, per job");
                    }
                }
            }
            picked.sort_unstable();
            assert_eq!(picked, (0..file.chunks.len()).collect::<Vec<_>>());
        }
        // The four families of the types come first.
        let sizes: Vec<usize> = jobs.iter().take(5).map(picked_len).collect();
        assert_eq!(sizes, [6, 6, 6, 6, 0]);
    }

    #[test]
    fn an_impl_layout_is_one_block() {
        let files = files();
        let texts = rust_files_on(2, &provenance(), &files).unwrap();
        let client = &texts[1];
        assert_eq!(client.matches("impl Client {").count(), 1, "{client}");
        assert_eq!(client.matches("pub fn method_").count(), 23, "{client}");
    }

    #[test]
    fn an_impl_without_chunks_is_an_empty_block() {
        let files = vec![(
            "client.rs",
            RustFile::inherent_impl(Box::new(TokenStream::new), "Client", Vec::new()),
        )];
        let texts = rust_files_on(2, &provenance(), &files).unwrap();
        assert!(texts[0].ends_with("\nimpl Client {}\n"), "{}", texts[0]);
    }

    #[test]
    fn a_member_is_printed_as_inside_the_block() {
        let member = print_member(
            &mut Shapes::default(),
            "c.rs",
            "Client",
            quote!(
                pub fn f(&self) {}
            ),
        )
        .unwrap()
        .unwrap();
        assert_eq!(member, "    pub fn f(&self) {}\n");
    }

    #[test]
    fn results_are_handed_over_in_order_and_the_first_error_wins() {
        let jobs: Vec<usize> = (0..200).collect();
        for (threads, caller_works) in [1, 2, 4].into_iter().flat_map(|t| [(t, true), (t, false)]) {
            let mut seen = Vec::new();
            parallel_for_each(
                threads,
                caller_works,
                &jobs,
                || (),
                |_, &j| Ok(j * 2),
                |&j, r| seen.push((j, r)),
            )
            .unwrap();
            let expected: Vec<(usize, usize)> = jobs.iter().map(|&j| (j, j * 2)).collect();
            assert_eq!(seen, expected, "{threads} threads, {caller_works}");

            let mut seen = Vec::new();
            let failing = |_: &mut (), &j: &usize| match j {
                37 | 120 => Err(internal(&format!("job {j}"))),
                _ => Ok(j),
            };
            let error = parallel_for_each(
                threads,
                caller_works,
                &jobs,
                || (),
                failing,
                |_, r| seen.push(r),
            );
            assert!(error.unwrap_err().to_string().contains("job 37"));
            assert_eq!(seen, (0..37).collect::<Vec<_>>(), "{threads} threads");
        }
    }

    #[test]
    fn a_chunk_that_does_not_parse_is_an_internal_error() {
        let files = vec![(
            "broken.rs",
            RustFile::items(
                Box::new(TokenStream::new),
                vec![Box::new(|| quote!(pub struct {})) as Chunk<'static>],
            ),
        )];
        for threads in [1, 2] {
            let error = rust_files_on(threads, &provenance(), &files).unwrap_err();
            let text = error.to_string();
            assert!(
                text.contains("generated broken.rs does not parse"),
                "{text}"
            );
        }
    }
}
