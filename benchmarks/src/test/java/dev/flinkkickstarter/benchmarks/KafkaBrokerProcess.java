package dev.flinkkickstarter.benchmarks;

import dev.flinkkickstarter.testing.ChildProcess;
import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.apache.kafka.common.Uuid;

/**
 * A single-node KRaft Kafka (broker and controller) in its own JVM, as a Kafka distribution runs it:
 * {@code StorageTool format}, then {@code kafka.Kafka server.properties}. Unlike the in-process test
 * cluster, its work never shares a JVM with the clients measured against it.
 */
final class KafkaBrokerProcess implements AutoCloseable {

    private static final Duration FORMAT_TIMEOUT = Duration.ofMinutes(2);
    private static final Duration STARTUP_TIMEOUT = Duration.ofMinutes(3);

    private final int port;
    private final ChildProcess broker;

    private KafkaBrokerProcess(int port, ChildProcess broker) {
        this.port = port;
        this.broker = broker;
    }

    static KafkaBrokerProcess start(Path dir, int partitions) throws IOException, InterruptedException {
        int port = LocalPorts.free();
        int controllerPort = LocalPorts.free();
        Path config = dir.resolve("server.properties");
        Files.createDirectories(dir);
        Files.writeString(
                config,
                String.join(
                        "\n",
                        "process.roles=broker,controller",
                        "node.id=1",
                        "controller.quorum.bootstrap.servers=127.0.0.1:" + controllerPort,
                        "listeners=PLAINTEXT://127.0.0.1:" + port + ",CONTROLLER://127.0.0.1:" + controllerPort,
                        "advertised.listeners=PLAINTEXT://127.0.0.1:" + port,
                        "controller.listener.names=CONTROLLER",
                        "inter.broker.listener.name=PLAINTEXT",
                        "listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT",
                        "log.dirs=" + dir.resolve("data").toAbsolutePath(),
                        "num.partitions=" + partitions,
                        "offsets.topic.replication.factor=1",
                        "transaction.state.log.replication.factor=1",
                        "transaction.state.log.min.isr=1",
                        "share.coordinator.state.topic.replication.factor=1",
                        "share.coordinator.state.topic.min.isr=1",
                        "group.initial.rebalance.delay.ms=0",
                        "transaction.max.timeout.ms=900000",
                        ""));
        List<String> jvm = List.of("-Xmx1g", Log4jConfig.write(dir.resolve("log4j2.properties")));
        ChildProcess.java("kafka storage format", "kafka.tools.StorageTool")
                .jvmOptions(jvm)
                .arguments("format", "--standalone", "-t", Uuid.randomUuid().toString(), "-c", config.toString())
                .log(dir.resolve("format.log"))
                .start()
                .awaitSuccess(FORMAT_TIMEOUT);
        ChildProcess broker = ChildProcess.java("kafka broker", "kafka.Kafka")
                .jvmOptions(jvm)
                .arguments(config.toString())
                .log(dir.resolve("broker.log"))
                .start();
        KafkaBrokerProcess started = new KafkaBrokerProcess(port, broker);
        started.awaitListening();
        return started;
    }

    String bootstrapServers() {
        return "127.0.0.1:" + port;
    }

    private void awaitListening() throws IOException, InterruptedException {
        broker.awaitReady("its port " + port + " listening", this::listening, STARTUP_TIMEOUT);
    }

    private boolean listening() {
        try (Socket ignored = new Socket(InetAddress.getLoopbackAddress(), port)) {
            return true;
        } catch (IOException notYet) {
            return false;
        }
    }

    @Override
    public void close() throws InterruptedException {
        broker.close();
    }
}
