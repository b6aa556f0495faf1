Feature: Ratings: what they are about, appeals and the figures
  A rating can be about one department; the department may appeal a bad rating as mistaken or
  malicious, and a supervisor decides. An upheld appeal takes the rating out of the figures.

  Background:
    Given the catalogue in "workflows"
    And today is 2026-11-02
    And an applicant "Qian Qi"

  Scenario: A bad rating about the tax office, appealed and upheld
    When the applicant opens a case of "start-a-business" online
    And the applicant submits a complete application
    And the clerk accepts the case
    And every item is approved
    And the clerk delivers the results electronically, mailing "seal-filing" under the tracking reference "EMS 1180 2345 685"
    And the applicant rates the service 3 saying "fine"
    Then the good-rating share is 100%
    And the figures count 0 bad ratings

  Scenario: An appeal rejected
    When the applicant opens a case of "start-a-business" online
    And the applicant submits a complete application
    And the clerk accepts the case
    And every item is approved
    And the clerk delivers the results electronically, mailing "seal-filing" under the tracking reference "EMS 1180 2345 686"
    And the applicant rates the service 1 saying "slow" about the department "sc-tax"
    And the reviewer of "sc-tax" appeals the bad rating because "the applicant confirmed a mistake"
    And the supervisor rejects the appeal: "the notice missed the invoice seal"
    Then the figures count 1 bad rating for "sc-tax"

  Scenario: An appeal upheld
    When the applicant opens a case of "start-a-business" online
    And the applicant submits a complete application
    And the clerk accepts the case
    And every item is approved
    And the clerk delivers the results electronically, mailing "seal-filing" under the tracking reference "EMS 1180 2345 687"
    And the applicant rates the service 1 saying "random" about the department "sc-tax"
    And the reviewer of "sc-tax" appeals the bad rating because "the applicant confirmed a mistake"
    And the supervisor upholds the appeal: "a mistaken rating"
    Then the figures count 0 bad ratings
