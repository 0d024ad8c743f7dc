package org.redoubt.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** docs/commands.md is generated from the command table and must match it. */
class DocsTest {
    @Test
    void commandCoverageDocIsUpToDate() throws Exception {
        assertThat(Files.readString(Path.of("../docs/commands.md"), StandardCharsets.UTF_8))
            .as("regenerate with: java -cp server/target/redoubt.jar org.redoubt.server.Docs .")
            .isEqualTo(Docs.commandsMarkdown());
    }
}
