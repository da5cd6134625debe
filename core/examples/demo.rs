//! `make demo`: the Rust core doing its job, printed for a person to read.
use polycache::{make_key, CacheBuilder, KeyBuilder, MockClock, Timeout};

fn main() -> polycache::Result<()> {
    let clock = MockClock::new(1_700_000_000_000);
    let cache = CacheBuilder::new(3).clock(clock.clone()).weigher(|v: &String| v.len()).build()?;

    let key = KeyBuilder::new("books").id("42").param("page", "2").param("lang", "en").scope("user:7").build();
    let full = make_key("site", 1, &key);
    println!("structured key      : {full}");
    let long = KeyBuilder::new("search").param("q", "x".repeat(300)).build();
    println!("long key, shortened : {long} ({} chars)", long.chars().count());

    cache.set(&full, "<html>book 42</html>".into(), Timeout::Seconds(60.0))?;
    println!("get after set       : {:?}", cache.get(&full));
    clock.advance(61_000);
    println!("get after 61 s      : {:?} (timeout 60 s)", cache.get(&full));

    for name in ["a", "b", "c", "d"] {
        cache.set(name, name.to_uppercase(), Timeout::Never)?;
    }
    // The default adaptive policy: a newcomer seen no more often than the main space's
    // next victim ("c", pushed out of the window by "d") is the one to leave.
    println!("bounded to 3 entries: keys (next victims last) = {:?}", cache.keys());

    let k1 = cache.namespaced_key("books", "list?page=1");
    cache.set(&k1, "page 1".into(), Timeout::Never)?;
    println!("namespaced key      : {k1}");
    cache.invalidate("books");
    let k2 = cache.namespaced_key("books", "list?page=1");
    println!("after invalidate    : {k2} -> {:?}", cache.get(&k2));
    println!("stats               : {:?}", cache.stats());
    Ok(())
}
