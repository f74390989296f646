package io.lifeline.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Assumptions;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * A real, headless Chromium driven through Debian's chromedriver ({@code apt-get install chromium chromium-driver},
 * which {@code .ci/run} does). Nothing is downloaded: both binaries come from the machine.
 */
public final class Chromium {

    public static final Path BROWSER = Path.of("/usr/bin/chromium");
    public static final Path DRIVER = Path.of("/usr/bin/chromedriver");

    private Chromium() {
    }

    /** Why browser tests cannot run here, or null when they can. */
    public static String missing() {
        if (!Files.isExecutable(BROWSER) || !Files.isExecutable(DRIVER)) {
            return "Chromium and chromedriver are not installed (" + BROWSER + ", " + DRIVER
                    + "): apt-get install chromium chromium-driver, as .ci/run does";
        }
        return null;
    }

    /**
     * Skips the calling test, with the reason printed and given to JUnit, where Chromium cannot run here.
     *
     * @param test the test's name, for the printed line
     */
    public static void assumeAvailable(String test) {
        String missing = missing();
        if (missing != null) {
            System.out.println(test + " skipped: " + missing);
        }
        Assumptions.assumeTrue(missing == null, missing);
    }

    public static ChromeDriver start(Path profile) throws IOException {
        ChromeOptions options = new ChromeOptions();
        options.setBinary(BROWSER.toFile());
        // Headless, and nothing that reaches beyond this machine.
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--disable-dev-shm-usage", "--user-data-dir=" + Files.createDirectories(profile));
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(DRIVER.toFile())
                .usingAnyFreePort()
                .build();
        ChromeDriver driver = new ChromeDriver(service, options);
        driver.manage().timeouts().scriptTimeout(Duration.ofSeconds(10));
        return driver;
    }
}
