package org.redoubt.engine.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** docs/config.md and conf/redoubt.conf are generated from the table and must match it. */
class ConfigDocsTest {
    static final Path ROOT = Path.of("..");

    @Test
    void generatedDocsAreUpToDate() throws Exception {
        String hint = "regenerate with: java -cp engine/target/classes:protocol/target/classes org.redoubt.engine.config.ConfigDocs .";
        assertThat(Files.readString(ROOT.resolve("docs/config.md"), StandardCharsets.UTF_8))
            .as(hint).isEqualTo(ConfigDocs.markdown());
        assertThat(Files.readString(ROOT.resolve("conf/redoubt.conf"), StandardCharsets.UTF_8))
            .as(hint).isEqualTo(ConfigDocs.sampleConf());
    }

    @Test
    void sampleConfigLoadsWithoutErrorsOrWarnings() throws Exception {
        ConfigTable t = new ConfigTable(new Config());
        String text = Files.readString(ROOT.resolve("conf/redoubt.conf"), StandardCharsets.UTF_8);
        List<String> warnings = new ArrayList<>(t.load(text, "conf/redoubt.conf"));
        assertThat(warnings).isEmpty();
        assertThat(t.get("port")).isEqualTo("6379");
    }
}
