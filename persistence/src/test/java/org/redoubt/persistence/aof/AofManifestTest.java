package org.redoubt.persistence.aof;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class AofManifestTest {
    private static AofManifest parse(String s) throws AofManifest.ManifestException {
        return AofManifest.parse(s.getBytes(StandardCharsets.UTF_8));
    }

    private static String error(String s) {
        try {
            parse(s);
            return null;
        } catch (AofManifest.ManifestException e) {
            return e.getMessage();
        }
    }

    @Test
    void parsesAndFormatsRedisLayout() throws Exception {
        String text = "file appendonly.aof.2.base.rdb seq 2 type b\n"
            + "file appendonly.aof.1.incr.aof seq 1 type h\n"
            + "file appendonly.aof.2.incr.aof seq 2 type i\n"
            + "file appendonly.aof.3.incr.aof seq 3 type i\n";
        AofManifest m = parse(text);
        assertThat(m.base.name).isEqualTo("appendonly.aof.2.base.rdb");
        assertThat(m.history).hasSize(1);
        assertThat(m.incrs).extracting(e -> e.seq).containsExactly(2L, 3L);
        assertThat(m.baseSeq).isEqualTo(2);
        assertThat(m.incrSeq).isEqualTo(3);
        assertThat(m.toString()).isEqualTo(text);
        assertThat(m.loadOrder()).extracting(e -> e.name)
            .containsExactly("appendonly.aof.2.base.rdb", "appendonly.aof.2.incr.aof", "appendonly.aof.3.incr.aof");
    }

    @Test
    void commentsAndExtraKeysAreAccepted() throws Exception {
        AofManifest m = parse("# a comment\nfile a.1.base.aof seq 1 type b newkey newvalue\nFILE a.1.incr.aof SEQ 1 TYPE i\n");
        assertThat(m.base.name).isEqualTo("a.1.base.aof");
        assertThat(m.incrs).hasSize(1);
    }

    @Test
    void rejectsWhatRedisRejects() {
        assertThat(error("")).isEqualTo("Found an empty AOF manifest");
        assertThat(error("file a seq 1 type i\n\nfile b seq 3 type i\n")).isEqualTo("Invalid AOF manifest file format");
        assertThat(error("file a seq 2 type i\nfile b seq 1 type i\n")).isEqualTo("Found a non-monotonic sequence number");
        assertThat(error("file a seq 1 type b\nfile b seq 2 type b\n")).isEqualTo("Found duplicate base file information");
        assertThat(error("file a seq 1 type x\n")).isEqualTo("Unknown AOF file type");
        assertThat(error("filx a seq 1 type b\n")).isEqualTo("Invalid AOF manifest file format");
        assertThat(error("file a type i\n")).isEqualTo("Invalid AOF manifest file format");
        assertThat(error("file a seq 1 type i newkey\n")).isEqualTo("Invalid AOF manifest file format");
        assertThat(error("file dir/a seq 1 type i\n")).isEqualTo("File can't be a path, just a filename");
        assertThat(error("file a seq 1 type i")).isEqualTo("The AOF manifest file contains too long line");
        assertThat(error("file a seq 1 type b " + "x y ".repeat(300) + "\n"))
            .isEqualTo("The AOF manifest file contains too long line");
    }

    @Test
    void errorsNameTheLine() {
        assertThatThrownBy(() -> parse("file a seq 1 type b\nfile b seq 1 type x\n"))
            .isInstanceOfSatisfying(AofManifest.ManifestException.class, e -> {
                assertThat(e.lineNumber).isEqualTo(2);
                assertThat(e.line).isEqualTo("file b seq 1 type x");
            });
    }

    @Test
    void namesWithSpacesAndNewlinesAreQuotedAndRoundTrip() throws Exception {
        AofManifest m = new AofManifest();
        String name = " file seq \n\n.aof ";
        m.newBase(name, true);
        m.newIncr(name);
        String text = m.toString();
        assertThat(text).startsWith("file \" file seq \\n\\n.aof .1.base.rdb\" seq 1 type b\n");
        AofManifest back = parse(text);
        assertThat(back.base.name).isEqualTo(name + ".1.base.rdb");
        assertThat(back.incrs.get(0).name).isEqualTo(name + ".1.incr.aof");
    }

    @Test
    void rewriteBookkeepingMatchesRedisOrder() throws Exception {
        AofManifest m = parse("file appendonly.aof.5.base.rdb seq 5 type b\nfile appendonly.aof.1.incr.aof seq 1 type i\n");
        // First rewrite (history kept): new base and new incr, old ones history, newest first.
        m.newBase("appendonly.aof", true);
        m.newIncr("appendonly.aof");
        m.markIncrsAsHistory(true);
        m.newBase("appendonly.aof", true);
        m.newIncr("appendonly.aof");
        m.markIncrsAsHistory(true);
        assertThat(m.toString()).isEqualTo("file appendonly.aof.7.base.rdb seq 7 type b\n"
            + "file appendonly.aof.2.incr.aof seq 2 type h\n"
            + "file appendonly.aof.6.base.rdb seq 6 type h\n"
            + "file appendonly.aof.1.incr.aof seq 1 type h\n"
            + "file appendonly.aof.5.base.rdb seq 5 type h\n"
            + "file appendonly.aof.3.incr.aof seq 3 type i\n");
        // With the AOF off, a rewrite leaves only the base.
        AofManifest off = parse("file a.1.base.aof seq 1 type b\nfile a.1.incr.aof seq 1 type i\n");
        off.newBase("a", false);
        off.markIncrsAsHistory(false);
        assertThat(off.incrs).isEmpty();
        assertThat(off.base.name).isEqualTo("a.2.base.aof");
    }
}
