package dev.cifarpipeline.dataset;

/** A download that failed; the message names the URL and the reason. Nothing was left in place. */
public class DatasetDownloadException extends RuntimeException {
    public DatasetDownloadException(String message) {
        super(message);
    }

    public DatasetDownloadException(String message, Throwable cause) {
        super(message, cause);
    }
}
