package dev.toz

// Binding overhead benchmark (docs/bindings.md), run by bench.sh. Prints exactly one line
//
//     BENCH kotlin version_ns=<ns per Toz.version()> roundtrip_us=<µs per encrypt+decrypt>
//
// The round trip is Toz.encryptRecord + Toz.decryptRecord of {"f0": "x"*100, ..., "f9": "x"*100}
// with one AccessKey, from Map<String, String> to Map<String, String>. Each figure is the best of
// 5 timed batches, after a warm-up long enough for the JIT to compile the paths.

private val RECORD: Map<String, String> = (0 until 10).associate { "f$it" to "x".repeat(100) }

/** Keeps results observable so the JIT cannot drop the calls. */
@Volatile
private var sink: Any? = null

private inline fun bestNsPerCall(calls: Int, batches: Int = 5, fn: () -> Any?): Double {
    var best = Double.MAX_VALUE
    repeat(batches) {
        val start = System.nanoTime()
        var last: Any? = null
        for (i in 0 until calls) last = fn()
        val elapsed = System.nanoTime() - start
        sink = last
        best = minOf(best, elapsed.toDouble() / calls)
    }
    return best
}

fun main() {
    // Warm-up: several seconds' worth of both paths, so C2 has compiled them.
    bestNsPerCall(2_000_000, batches = 2) { Toz.version() }
    val versionNs = bestNsPerCall(2_000_000) { Toz.version() }

    val roundtripNs = AccessKey.generate().use { ak ->
        check(Toz.decryptRecord(ak, Toz.encryptRecord(ak, RECORD)) == RECORD)
        bestNsPerCall(20_000, batches = 2) { Toz.decryptRecord(ak, Toz.encryptRecord(ak, RECORD)) }
        bestNsPerCall(20_000) { Toz.decryptRecord(ak, Toz.encryptRecord(ak, RECORD)) }
    }
    println("BENCH kotlin version_ns=%.1f roundtrip_us=%.2f".format(java.util.Locale.ROOT, versionNs, roundtripNs / 1000.0))
}
