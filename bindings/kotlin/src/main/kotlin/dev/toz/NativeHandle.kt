package dev.toz

import com.sun.jna.Pointer
import java.util.concurrent.locks.ReentrantReadWriteLock

/**
 * The base of every owned libtoz handle ([Credentials], [AccessKey], [Client]).
 *
 * - [close] frees the native object; closing again is harmless.
 * - Every use after close throws [ClosedException] (kind CLOSED), never touches freed memory.
 * - Calls may run concurrently on one handle (the C ABI allows it for `const` handles). [close]
 *   waits until calls already running on other threads have returned, because a `toz_free_*`
 *   must not race with any other use of the handle.
 * - A handle that becomes unreachable without [close] is freed by [HandleCleaner] (a fallback:
 *   close handles explicitly, e.g. with `use {}`).
 */
public abstract class NativeHandle internal constructor(
    pointer: Pointer,
    free: (Pointer) -> Unit,
) : AutoCloseable {
    // Everything the cleanup needs lives in [state], which must not refer back to this handle
    // (otherwise the handle would never become unreachable and the fallback would never run).
    private val state = State(pointer, free)
    private val cleanup = HandleCleaner.register(this, state)

    /** True once [close] ran (or the handle was freed by the fallback). */
    public val isClosed: Boolean
        get() = state.isClosed

    /**
     * Frees the native object. Waits for calls running on other threads; idempotent.
     * @throws IllegalStateException when called from inside one of this handle's own calls (a
     *   file transfer's progress callback), which could otherwise never finish.
     */
    override fun close() {
        check(state.lock.readHoldCount == 0) { "cannot close ${javaClass.simpleName} from inside one of its own calls" }
        cleanup.clean()
    }

    /**
     * Runs [block] with the live native pointer, holding off [close] (and the fallback cleanup,
     * which also takes the lock) until it returns.
     */
    internal fun <T> withPointer(block: (Pointer) -> T): T {
        val lock = state.lock.readLock()
        lock.lock()
        try {
            val p = state.pointer ?: throw ClosedException("${javaClass.simpleName} is closed")
            return block(p)
        } finally {
            lock.unlock()
        }
    }

    private class State(
        @Volatile var pointer: Pointer?,
        private val free: (Pointer) -> Unit,
    ) : Runnable {
        val lock = ReentrantReadWriteLock()

        val isClosed: Boolean get() = pointer == null

        override fun run() {
            val write = lock.writeLock()
            write.lock()
            try {
                val p = pointer ?: return
                pointer = null
                free(p)
            } finally {
                write.unlock()
            }
        }
    }
}
