//! The modules' allocator: talc, without a lock (single-threaded wasm), taking first the
//! memory the module starts with (past the stack and the data), then wasm memory in steps
//! of at least an eighth of what the module has, and 1 MiB. (Node, Deno and browsers start the stores
//! with 16 MiB so that they seldom grow: growing detaches an ArrayBuffer, which costs every
//! typed-array access of the process from then on; bindings-js/wasm-memory.mjs.)
//!
//! talc's own source grows the memory by what one allocation needs, a page at a time as
//! caches are made. In V8 each `memory.grow` can start a full GC (the memory counts as
//! external to the JS heap): 50,000 `new Cache({ max: 10 })` in a loop grew the memory
//! ~1,700 times and ran 120 Mark-Compacts. Growing by an eighth makes the growths, and so
//! those GCs, logarithmic in the memory used (up to the wasm32 limit, which it nears by
//! halves). Pages grown but not yet used cost address space, not RAM: the runtime
//! reserves the whole wasm32 range and commits pages as they are touched.

use core::alloc::Layout;
use core::arch::wasm32::{memory_grow, memory_size};
use core::ptr::NonNull;

use talc::base::{binning::Binning, Talc};
use talc::cell::TalcSyncCell;
use talc::wasm::WasmBinning;

const PAGE: usize = 64 << 10;
/// The smallest step, in pages (1 MiB).
const MIN_STEP: usize = 16;

/// talc's source: where the memory it has ends (talc extends its arena when the next
/// growth starts there).
#[derive(Debug)]
pub struct Grow {
    end: Option<NonNull<u8>>,
    /// Whether the memory the module starts with (past the heap's base) was offered.
    began: bool,
}

extern "C" {
    /// Where the linker put the end of the stack and the data: the heap may start there.
    static __heap_base: u8;
}

// SAFETY: `acquire` gives talc the memory past the heap base once, then only pages it
// grew itself, each once, and allocates nothing.
unsafe impl talc::source::Source for Grow {
    fn acquire<B: Binning>(talc: &mut Talc<Self, B>, layout: Layout) -> Result<(), ()> {
        if !talc.source.began {
            talc.source.began = true;
            // First the memory the module starts with, past the stack and the data (Node,
            // Deno and browsers start the stores with 16 MiB of it: bindings-js/js/wasm-room.js).
            // If it is too small for this allocation, the growth below extends it.
            let base = core::ptr::addr_of!(__heap_base) as *mut u8;
            let size = (memory_size(0) * PAGE).saturating_sub(base as usize);
            // SAFETY: nothing else uses the memory past the heap base.
            talc.source.end = unsafe { talc.claim(base, size) };
            if talc.source.end.is_some() {
                return Ok(());
            }
        }
        // What one allocation needs with talc's bookkeeping (generous), in pages.
        let needed = (layout.size() + layout.align() + 256).div_ceil(PAGE);
        let step = needed.max(memory_size(0) / 8).max(MIN_STEP);
        // Near the wasm32 limit a step may not fit where the allocation would: then half
        // of it, and so on down to what is needed. (A growth that fails costs nothing; one
        // that succeeds there costs a full GC each, in V8: so not a page at a time.)
        let mut pages = step;
        let prev = loop {
            match memory_grow(0, pages) {
                usize::MAX if pages > needed => pages = (pages / 2).max(needed),
                usize::MAX => return Err(()),
                prev => break prev,
            }
        };
        let base = (prev * PAGE) as *mut u8;
        // Saturating: growth up to the wasm32 limit ends at 2^32, past the last address
        // (talc, like its own sources, then stops just short of it).
        let end = base.wrapping_add((pages * PAGE).min(usize::MAX - base as usize));
        if let Some(old_end) = talc.source.end.take() {
            if old_end.as_ptr() == base {
                // SAFETY: the arena ends where the new pages start.
                talc.source.end = Some(unsafe { talc.extend(old_end, end) });
                return Ok(());
            }
        }
        // SAFETY: the pages were just grown: nothing else uses them.
        talc.source.end = unsafe { talc.claim(base, pages * PAGE) };
        Ok(())
    }
}

pub type Allocator = TalcSyncCell<Grow, WasmBinning>;

pub const fn allocator() -> Allocator {
    TalcSyncCell::new_wasm(Grow { end: None, began: false })
}
