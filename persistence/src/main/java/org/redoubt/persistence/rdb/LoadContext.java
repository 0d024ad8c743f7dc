package org.redoubt.persistence.rdb;

import org.redoubt.engine.config.Config;

/**
 * What a codec needs to build values while loading: the encoding thresholds of the
 * configuration (a loaded small hash stays a listpack only while it fits
 * hash-max-listpack-entries, as in Redis), the snapshot epoch the new values belong to, and
 * whether payloads get deep sanitization (sanitize-dump-payload).
 */
public final class LoadContext {
    public final Config config;
    public final long epoch;
    public final boolean deepSanitize;
    /** Deep sanitizations performed (INFO stats dump_payload_sanitizations). */
    public long sanitizations;

    public LoadContext(Config config, long epoch, boolean deepSanitize) {
        this.config = config;
        this.epoch = epoch;
        this.deepSanitize = deepSanitize;
    }
}
