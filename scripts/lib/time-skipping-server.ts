/**
 * Temporal's time-skipping test server (the Java one, `io.temporal:temporal-test-server` from
 * Maven Central) for workflow tests that must cross days: the first call resolves its classpath
 * with Maven into `.temporal/test-server/`, compiles a small launcher there and writes a wrapper
 * executable; later calls reuse them. The wrapper takes `<port> [--initial-time <ISO instant>]`:
 * the stock server always starts at the wall clock and only moves forward, so a test of a past
 * calendar (say, the Spring Festival of 2026 with its make-up Saturday) starts the server there.
 *
 * Tests start it through test/support/time-skipping.ts, which gives it as long as it needs to start;
 * `standInExecutable` is what the SDK then spawns in its place.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { projectRoot } from '../../temporal.config.ts';

const run = promisify(execFile);

export const testServerVersion = '1.31.0';
export const testServerDir = join(projectRoot, '.temporal', 'test-server');

/**
 * The JIT's first tier only: the server serves after about half the CPU (0.6 s instead of 1.1 s
 * on the two-core test machine), and the SDK gives it a fixed 5 s to answer, however loaded the
 * machine is. The tests are short; top JIT speed buys them nothing.
 */
const jvmOptions = '-XX:TieredStopAtLevel=1';
/** What the wrapper was built for; another value rebuilds it. */
const stampText = `${testServerVersion} ${jvmOptions}`;

const pom = `<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>local.jincai</groupId>
  <artifactId>time-skipping-test-server</artifactId>
  <version>1</version>
  <dependencies>
    <dependency>
      <groupId>io.temporal</groupId>
      <artifactId>temporal-test-server</artifactId>
      <version>${testServerVersion}</version>
    </dependency>
  </dependencies>
</project>
`;

// What io.temporal.testserver.TestServer.createPortBoundServer does, plus the initial time that
// the in-process TestServer.createServer(lock, initialTimeMillis) already accepts.
const launcher = `import io.grpc.Grpc;
import io.grpc.InsecureServerCredentials;
import io.grpc.Server;
import io.grpc.ServerBuilder;
import io.temporal.internal.testservice.GRPCServerHelper;
import io.temporal.internal.testservice.TestServicesStarter;
import java.time.OffsetDateTime;

public class TimeSkippingServer {
  public static void main(String[] args) throws Exception {
    if (args.length < 1) {
      System.err.println("Usage: <port> [--initial-time <ISO-8601 instant with offset>] [--enable-time-skipping]");
      System.exit(2);
    }
    int port = Integer.parseInt(args[0]);
    long initialTimeMillis = 0;
    boolean lockTimeSkipping = true;
    for (int i = 1; i < args.length; i++) {
      if (args[i].equals("--initial-time") && i + 1 < args.length) {
        initialTimeMillis = OffsetDateTime.parse(args[++i]).toInstant().toEpochMilli();
      } else if (args[i].equalsIgnoreCase("--enable-time-skipping")) {
        lockTimeSkipping = false;
      } else {
        System.err.println("Unknown flag " + args[i]);
        System.exit(2);
      }
    }
    TestServicesStarter starter = new TestServicesStarter(lockTimeSkipping, initialTimeMillis);
    ServerBuilder<?> builder = Grpc.newServerBuilderForPort(port, InsecureServerCredentials.create());
    GRPCServerHelper.registerServicesAndHealthChecks(starter.getServices(), builder);
    Server server = builder.build().start();
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      server.shutdown();
      starter.close();
    }));
    server.awaitTermination();
  }
}
`;

/** Path of the wrapper executable; builds it on first use (needs java, javac and mvn on PATH). */
export async function ensureTimeSkippingServer(
  options: { log?: (line: string) => void } = {},
): Promise<string> {
  const wrapper = join(testServerDir, 'test-server');
  const stamp = join(testServerDir, 'version');
  if (existsSync(wrapper) && existsSync(stamp) && (await readFile(stamp, 'utf8')).trim() === stampText)
    return wrapper;
  options.log?.(`Building the time-skipping test server ${testServerVersion} in ${testServerDir}`);
  await mkdir(join(testServerDir, 'classes'), { recursive: true });
  await writeFile(join(testServerDir, 'pom.xml'), pom);
  const cpFile = join(testServerDir, 'classpath.txt');
  try {
    await run('mvn', ['-q', '-B', 'dependency:build-classpath', `-Dmdep.outputFile=${cpFile}`], {
      cwd: testServerDir,
      timeout: 600_000,
    });
  } catch (err) {
    throw new Error(
      `mvn could not resolve io.temporal:temporal-test-server:${testServerVersion}: ${(err as { stderr?: string }).stderr ?? String(err)}`,
      { cause: err },
    );
  }
  const classpath = (await readFile(cpFile, 'utf8')).trim();
  await writeFile(join(testServerDir, 'TimeSkippingServer.java'), launcher);
  await run(
    'javac',
    ['-cp', classpath, '-d', join(testServerDir, 'classes'), join(testServerDir, 'TimeSkippingServer.java')],
    {
      timeout: 120_000,
    },
  );
  const script = `#!/bin/sh
# Temporal's time-skipping test server ${testServerVersion}; usage: test-server <port> [--initial-time <ISO instant>]
exec java ${jvmOptions} -cp '${join(testServerDir, 'classes')}:${classpath}' TimeSkippingServer "$@"
`;
  const tmp = `${wrapper}.${process.pid}.tmp`;
  await writeFile(tmp, script);
  await chmod(tmp, 0o755);
  await rename(tmp, wrapper);
  await writeFile(stamp, `${stampText}\n`);
  return wrapper;
}

/**
 * An executable that holds a time-skipping server's place for the SDK, which spawns its server
 * itself and gives it a fixed 5 s to answer: the real server is already listening on the port the
 * SDK is given; this waits, taking nothing, until the SDK kills it at teardown.
 */
export async function standInExecutable(): Promise<string> {
  const file = join(testServerDir, 'stand-in');
  if (!existsSync(file)) {
    await mkdir(testServerDir, { recursive: true });
    const tmp = `${file}.${process.pid}.tmp`;
    await writeFile(
      tmp,
      '#!/bin/sh\n# Holds the place of a time-skipping server already listening on the port given.\nexec sleep infinity\n',
    );
    await chmod(tmp, 0o755);
    await rename(tmp, file);
  }
  return file;
}
