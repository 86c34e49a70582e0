package dev.toz

import java.lang.ref.Cleaner

/**
 * The one place that decides how an unclosed handle is freed once it becomes unreachable.
 *
 * This uses `java.lang.ref.Cleaner` (Java 9+; Android API 33+). It is the only JVM-version
 * dependent piece of the binding: for Android below API 33 replace the body of this object with a
 * `PhantomReference` + `ReferenceQueue` daemon thread that runs the same [Runnable] once (and
 * whose [Cleanup.clean] runs it at most once too). Nothing else needs to change.
 */
internal object HandleCleaner {
    /** Runs an action at most once: explicitly via [clean], or after its owner is unreachable. */
    internal fun interface Cleanup {
        fun clean()
    }

    private val cleaner: Cleaner = Cleaner.create()

    /** Registers [action] (which must not reference [owner]) to run when [owner] is unreachable. */
    fun register(owner: Any, action: Runnable): Cleanup {
        val cleanable = cleaner.register(owner, action)
        return Cleanup { cleanable.clean() }
    }
}
