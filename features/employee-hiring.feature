Feature: Employee hiring (员工录用一件事)
  An employer registers a new hire's employment, social insurance, medical insurance and
  housing provident fund account at once, online.

  Background:
    Given the catalogue in "workflows"
    And today is 2026-11-02
    And a company "Hangzhou Example Technology Co., Ltd."

  Scenario: The labour contract is notified once, then everything is concluded the same day
    When the applicant opens a case of "Employee hiring" online
    And the applicant submits the materials:
      | material |
    And the clerk gives the one-time notice
    Then the one-time notice lists "labour-contract"
    When the applicant supplies "Labour contract" online
    And the clerk accepts the case
    And every item is approved
    Then the case is "ready_for_pickup"
    And the case outcome is "approved"

  Scenario: The labour contract may be owed
    When the applicant opens a case of "employee-hiring" on mobile
    And the applicant submits the materials:
      | material |
    And the clerk accepts the case owing "labour-contract"
    Then "labour-contract" is owed until 2026-11-09
    # the promise covers the worst situation (a first social security card: 5 working days)
    And the case is due on 2026-11-09

  Scenario: The personnel file and a first card join the case by situation
    When the applicant opens a case of "employee-hiring" online
    And the applicant fills in the form:
      | field                    | value |
      | personnel_file_to_city   | true  |
      | has_social_security_card | false |
    And the applicant submits a complete application
    And the clerk accepts the case
    Then the case includes "330100-RS-DAJS"
    And the case includes "330100-RS-SBKZG"
    And item "330100-RS-SBKZG" is "waiting"

  Scenario: An employee who has a card and keeps the file elsewhere
    When the applicant opens a case of "employee-hiring" online
    And the applicant fills in the form:
      | field                    | value |
      | personnel_file_to_city   | false |
      | has_social_security_card | true  |
    And the applicant submits a complete application
    And the clerk accepts the case
    Then the case does not include "330100-RS-DAJS"
    And the case does not include "330100-RS-SBKZG"
